// OpenSSH known_hosts files: parsing (markers, hashed and pattern host fields, the key) and the
// lookup of every line that names a host. Lines that do not parse are reported, never fatal: a
// stray line must not lock a user out of every host, as it does not in OpenSSH.
import { readFile } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import { fingerprintOf, keyTypeOf } from './host-key.js';
import { hashedName, knownHostsName, matchPatternList } from './host-patterns.js';

export type KnownHostMarker = 'revoked' | 'cert-authority' | null;

export type HostField =
  | { kind: 'hashed'; salt: Buffer; hash: Buffer }
  | { kind: 'patterns'; patterns: string[] };

export interface KnownHostEntry {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  marker: KnownHostMarker;
  hosts: HostField;
  /** The type field of the line, e.g. `ssh-ed25519`. */
  keyType: string;
  key: Buffer;
  fingerprint: string;
}

export interface KnownHostsProblem {
  file: string;
  line: number;
  message: string;
}

export interface KnownHosts {
  entries: KnownHostEntry[];
  problems: KnownHostsProblem[];
  /** Files that were read (missing ones are skipped silently, as OpenSSH does). */
  files: string[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseHostField(field: string): HostField | string {
  if (field.startsWith('|')) {
    const parts = field.split('|');
    // ['', '1', salt, hash]: version 1 is the only one OpenSSH writes.
    if (parts.length !== 4 || parts[1] !== '1') return `unsupported hashed host field (expected |1|salt|hash)`;
    if (!BASE64.test(parts[2]) || !BASE64.test(parts[3])) return 'hashed host field is not base64';
    const salt = Buffer.from(parts[2], 'base64');
    const hash = Buffer.from(parts[3], 'base64');
    if (salt.length !== 20 || hash.length !== 20) return 'hashed host field has the wrong length (20-byte salt and hash expected)';
    return { kind: 'hashed', salt, hash };
  }
  const patterns = field.split(',').filter((p) => p !== '');
  if (patterns.length === 0) return 'empty host field';
  return { kind: 'patterns', patterns };
}

/** Parses known_hosts text; `file` names the source in entries and problems. */
export function parseKnownHosts(text: string, file: string): { entries: KnownHostEntry[]; problems: KnownHostsProblem[] } {
  const entries: KnownHostEntry[] = [];
  const problems: KnownHostsProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const content = lines[i].replace(/\r$/, '').trim();
    if (content === '' || content.startsWith('#')) continue;
    const fields = content.split(/[ \t]+/);
    const problem = (message: string) => problems.push({ file, line, message });
    let marker: KnownHostMarker = null;
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else { problem(`unknown marker ${m} (only @revoked and @cert-authority exist)`); continue; }
    }
    if (fields.length < 3) { problem('expected: host-patterns key-type base64-key [comment]'); continue; }
    const hosts = parseHostField(fields[0]);
    if (typeof hosts === 'string') { problem(hosts); continue; }
    const keyType = fields[1];
    if (!BASE64.test(fields[2])) { problem('the key is not base64'); continue; }
    const key = Buffer.from(fields[2], 'base64');
    const inner = keyTypeOf(key);
    if (inner === null) { problem('the key blob is malformed'); continue; }
    if (inner !== keyType) { problem(`the key type field says ${keyType} but the key is ${inner}`); continue; }
    entries.push({ file, line, marker, hosts, keyType, key, fingerprint: fingerprintOf(key) });
  }
  return { entries, problems };
}

/** Reads and parses every existing file, in order. */
export async function readKnownHosts(files: readonly string[]): Promise<KnownHosts> {
  const out: KnownHosts = { entries: [], problems: [], files: [] };
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      out.problems.push({ file, line: 0, message: `cannot be read: ${(err as Error).message}` });
      continue;
    }
    const parsed = parseKnownHosts(text, file);
    out.entries.push(...parsed.entries);
    out.problems.push(...parsed.problems);
    out.files.push(file);
  }
  return out;
}

/** Whether the entry's host field names host:port. */
export function entryNamesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hosts.kind === 'hashed') {
    return timingSafeEqual(hashedName(name, entry.hosts.salt), entry.hosts.hash);
  }
  return matchPatternList(name, entry.hosts.patterns);
}

/** Every entry naming host:port, in file order: callers decide on all of them, not the first. */
export function entriesForHost(known: KnownHosts, host: string, port: number): KnownHostEntry[] {
  return known.entries.filter((e) => entryNamesHost(e, host, port));
}
