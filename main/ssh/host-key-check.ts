// The decision on a presented host key against every known_hosts line naming the host, and the
// error a refusal becomes. Any matching line holding the key trusts it (OpenSSH semantics; a
// first-match lookup wrongly calls a host "changed" when it has several lines); a matching
// @revoked line refuses it whatever else matches; a known key of the same type that differs is a
// change, refused under every policy.
import { HarnessError } from '../../shared/errors.js';
import { describeKey, displayKeyType, fingerprintOf, keyTypeOf, publicKeyText } from './host-key.js';
import { knownHostsName } from './host-patterns.js';
import { entriesForHost, type KnownHostEntry, type KnownHosts } from './known-hosts.js';

export type HostKeyPolicy = 'strict' | 'accept-new';

export interface KnownLine {
  file: string;
  line: number;
  keyType: string;
  fingerprint: string;
}

export type HostKeyDecision =
  | { kind: 'trusted'; by: KnownLine }
  | { kind: 'revoked'; by: KnownLine }
  | { kind: 'changed'; known: KnownLine[] }
  /** `otherTypes`: keys of other types are known for the host; `certAuthorities`: only
   * @cert-authority lines name it, which this SSH library cannot use. */
  | { kind: 'unknown'; otherTypes: KnownLine[]; certAuthorities: KnownLine[] };

const lineOf = (e: KnownHostEntry): KnownLine => ({ file: e.file, line: e.line, keyType: e.keyType, fingerprint: e.fingerprint });

export function decideHostKey(known: KnownHosts, host: string, port: number, key: Buffer): HostKeyDecision {
  const matching = entriesForHost(known, host, port);
  const revoked = matching.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { kind: 'revoked', by: lineOf(revoked) };
  const plain = matching.filter((e) => e.marker === null);
  const holder = plain.find((e) => e.key.equals(key));
  if (holder) return { kind: 'trusted', by: lineOf(holder) };
  const type = keyTypeOf(key);
  const sameType = plain.filter((e) => e.keyType === type);
  if (sameType.length > 0) return { kind: 'changed', known: sameType.map(lineOf) };
  return {
    kind: 'unknown',
    otherTypes: plain.map(lineOf),
    certAuthorities: matching.filter((e) => e.marker === 'cert-authority').map(lineOf),
  };
}

/** The types of the keys known for the host, to ask the server for those first. */
export function knownKeyTypes(known: KnownHosts, host: string, port: number): string[] {
  return [...new Set(entriesForHost(known, host, port).filter((e) => e.marker === null).map((e) => e.keyType))];
}

/** How a user trusts a host. The trust command belongs to the RemoteLan executor issue: this is
 * the one place its spelling lives until then. */
export function trustHint(host: string, port: number): string {
  return port === 22 ? `harness trust ${host}` : `harness trust ${host} --port ${port}`;
}

export interface HostKeyErrorDetails {
  kind: 'host-key-unknown' | 'host-key-changed' | 'host-key-revoked';
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** `type base64`: what the trust flow appends once the user confirms the fingerprint. */
  publicKey: string;
  /** Fingerprints of the known keys the presented one differs from (changed) or of other types. */
  knownFingerprints?: string[];
  knownLines?: KnownLine[];
  knownHostsFiles: string[];
}

const where = (l: KnownLine) => `${l.file}:${l.line}`;

/** The refusal for a decision other than 'trusted'. */
export function hostKeyError(
  decision: Exclude<HostKeyDecision, { kind: 'trusted' }>,
  ctx: { host: string; port: number; key: Buffer; files: string[]; policy: HostKeyPolicy },
): HarnessError {
  const { host, port, key } = ctx;
  const keyType = keyTypeOf(key) ?? 'unknown';
  const fingerprint = fingerprintOf(key);
  const name = knownHostsName(host, port);
  const target = port === 22 ? host : `${host} port ${port}`;
  const files = ctx.files.join(', ');
  const base = { host, port, keyType, fingerprint, publicKey: publicKeyText(key), knownHostsFiles: ctx.files };
  if (decision.kind === 'revoked') {
    return new HarnessError(
      'UNAUTHORIZED',
      `The host key of ${target} is REVOKED: its ${describeKey(key)} is marked @revoked at ${where(decision.by)}. ` +
        'The connection was refused; ask the host\'s owner for its new key.',
      { kind: 'host-key-revoked', ...base, knownLines: [decision.by] } satisfies HostKeyErrorDetails,
    );
  }
  if (decision.kind === 'changed') {
    const known = decision.known.map((l) => `${displayKeyType(l.keyType)} ${l.fingerprint} (${where(l)})`).join(', ');
    return new HarnessError(
      'UNAUTHORIZED',
      `HOST KEY CHANGED for ${target}: it presented ${describeKey(key)}, but known_hosts holds ${known}. ` +
        'Someone may be intercepting the connection, or the host was reinstalled. Refused: a changed key is ' +
        `never accepted automatically. If the change is expected, remove the old line (ssh-keygen -R '${name}') ` +
        `and trust the new key: ${trustHint(host, port)}.`,
      {
        kind: 'host-key-changed',
        ...base,
        knownFingerprints: decision.known.map((l) => l.fingerprint),
        knownLines: decision.known,
      } satisfies HostKeyErrorDetails,
    );
  }
  const notes: string[] = [];
  if (decision.certAuthorities.length > 0 && decision.otherTypes.length === 0) {
    notes.push(
      `Only @cert-authority lines name it (${decision.certAuthorities.map(where).join(', ')}): host certificates ` +
        'are not supported by the SSH library Harness uses (ssh2), so the host\'s own key must be trusted.',
    );
  }
  if (decision.otherTypes.length > 0) {
    notes.push(
      `Keys of other types are known for it (${decision.otherTypes.map((l) => `${displayKeyType(l.keyType)} at ${where(l)}`).join(', ')}) ` +
        'but the host did not offer them' + (ctx.policy === 'accept-new' ? ', so accept-new does not add this one.' : '.'),
    );
  }
  return new HarnessError(
    'UNAUTHORIZED',
    `The host key of ${target} is not known: ${displayKeyType(keyType)} key fingerprint is ${fingerprint}. ` +
      `No line in ${files || 'known_hosts'} names ${name}. ${notes.join(' ')}${notes.length ? ' ' : ''}` +
      `Compare the fingerprint with the host's own (on the host: ssh-keygen -lf /etc/ssh/ssh_host_${keyType === 'ssh-rsa' ? 'rsa' : displayKeyType(keyType).toLowerCase()}_key.pub), ` +
      `then trust it: ${trustHint(host, port)}.`,
    {
      kind: 'host-key-unknown',
      ...base,
      ...(decision.otherTypes.length > 0
        ? { knownFingerprints: decision.otherTypes.map((l) => l.fingerprint), knownLines: decision.otherTypes }
        : {}),
    } satisfies HostKeyErrorDetails,
  );
}
