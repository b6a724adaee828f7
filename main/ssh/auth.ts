// User authentication in OpenSSH's order: the keys of ssh-agent (SSH_AUTH_SOCK), then the
// configured identity_file(s), then the default identities in ~/.ssh. Each key is offered on its
// own (agent keys through a one-key agent view), so a refusal can name every key tried, and a key
// present both in the agent and on disk is offered once, which keeps under sshd's MaxAuthTries (6).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import { HarnessError } from '../../shared/errors.js';
import { describeKey } from './host-key.js';

const { BaseAgent, OpenSSHAgent, utils } = ssh2;

/** OpenSSH's default IdentityFile list, in its order (ssh_config(5)). */
export const DEFAULT_IDENTITY_NAMES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_dsa'];

export function defaultIdentityFiles(sshDir: string): string[] {
  return DEFAULT_IDENTITY_NAMES.map((n) => join(sshDir, n));
}

export interface AuthSources {
  /** ssh-agent socket; null for none. */
  agentSocket: string | null;
  /** Configured keys (identity_file), tried after the agent. */
  identityFiles: string[];
  /** Default keys (~/.ssh/id_*), tried last; missing ones are skipped silently in the summary. */
  defaultIdentityFiles: string[];
}

export interface AuthAttempt {
  /** 'agent' or the key file's path. */
  source: string;
  /** "ED25519 SHA256:…" when the key could be read. */
  key?: string;
  result: 'accepted' | 'refused' | 'skipped' | 'not-tried';
  reason?: string;
}

interface Candidate {
  attempt: AuthAttempt;
  /** Absent for a skipped source. */
  method?: { type: 'agent'; agent: InstanceType<typeof BaseAgent> } | { type: 'publickey'; key: ParsedKey };
}

// An agent view holding one of the real agent's keys: ssh2 then offers exactly that key, and
// signing still happens inside the agent (the private key never enters this process).
class OneKeyAgent extends BaseAgent<ParsedKey> {
  constructor(private readonly real: InstanceType<typeof OpenSSHAgent>, private readonly key: ParsedKey) { super(); }
  getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void { cb(undefined, [this.key]); }
  sign(pubKey: ParsedKey, data: Buffer, options: unknown, cb?: (err?: Error, sig?: Buffer) => void): void {
    if (typeof options === 'function') { cb = options as typeof cb; options = {}; }
    (this.real.sign as (k: ParsedKey, d: Buffer, o: unknown, c?: unknown) => void)(pubKey, data, options, cb);
  }
}

function agentKeys(socket: string): Promise<ParsedKey[]> {
  return new Promise((resolve, reject) => {
    const agent = new OpenSSHAgent(socket);
    const timer = setTimeout(() => reject(new Error('no answer from the agent within 5 s')), 5000);
    agent.getIdentities((err, keys) => {
      clearTimeout(timer);
      // OpenSSHAgent hands back parsed keys; the wider type is for custom agents.
      if (err) reject(err); else resolve((keys ?? []).filter((k): k is ParsedKey => typeof (k as ParsedKey).getPublicSSH === 'function'));
    });
  });
}

async function readKeyFile(path: string): Promise<ParsedKey | string> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'not present' : `cannot be read (${code ?? (err as Error).message})`;
  }
  const parsed = utils.parseKey(data);
  if (parsed instanceof Error) {
    if (/encrypted/i.test(parsed.message)) return 'encrypted with a passphrase: load it into ssh-agent (ssh-add) to use it';
    if (/unsupported/i.test(parsed.message) || path.endsWith('_sk')) return `unsupported key format (${parsed.message}); security keys (*_sk) need ssh-agent`;
    return `not a usable private key (${parsed.message})`;
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) return 'holds no private key';
  return key;
}

/** Reads the agent's keys and the key files: the ordered keys to offer, plus why others are not. */
export async function prepareAuth(src: AuthSources): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const offered: Buffer[] = [];
  const seen = (blob: Buffer) => offered.some((b) => b.equals(blob));
  if (src.agentSocket) {
    try {
      const real = new OpenSSHAgent(src.agentSocket);
      const keys = await agentKeys(src.agentSocket);
      if (keys.length === 0) {
        out.push({ attempt: { source: 'agent', result: 'skipped', reason: `ssh-agent at ${src.agentSocket} holds no keys` }});
      }
      for (const key of keys) {
        const blob = key.getPublicSSH();
        if (seen(blob)) continue;
        offered.push(blob);
        out.push({ attempt: { source: 'agent', key: describeKey(blob), result: 'not-tried' }, method: { type: 'agent', agent: new OneKeyAgent(real, key) } });
      }
    } catch (err) {
      out.push({ attempt: { source: 'agent', result: 'skipped', reason: `ssh-agent at ${src.agentSocket} unusable: ${(err as Error).message}` }});
    }
  }
  const files = [...src.identityFiles, ...src.defaultIdentityFiles.filter((f) => !src.identityFiles.includes(f))];
  for (const file of files) {
    const key = await readKeyFile(file);
    if (typeof key === 'string') {
      // Absent default identities are the normal case: noted, but not as a problem.
      out.push({ attempt: { source: file, result: 'skipped', reason: key }});
      continue;
    }
    const blob = key.getPublicSSH();
    if (seen(blob)) {
      out.push({ attempt: { source: file, key: describeKey(blob), result: 'skipped', reason: 'same key as one already offered' }});
      continue;
    }
    offered.push(blob);
    out.push({ attempt: { source: file, key: describeKey(blob), result: 'not-tried' }, method: { type: 'publickey', key } });
  }
  return out;
}

export interface AuthSession {
  handler: AuthHandlerMiddleware;
  attempts: AuthAttempt[];
  /** Methods the server said can continue (after the first refusal), e.g. ['publickey']. */
  serverMethods: string[] | null;
  /** The attempt that was in flight when the server accepted. */
  current(): AuthAttempt | null;
}

/** An ssh2 authHandler that walks the candidates in order and records what happened to each. */
export function makeAuthSession(user: string, candidates: Candidate[]): AuthSession {
  const attempts = candidates.map((c) => c.attempt);
  let index = -1;
  let current: Candidate | null = null;
  const session: AuthSession = {
    attempts,
    serverMethods: null,
    current: () => current?.attempt ?? null,
    handler: (methodsLeft, _partial, next) => {
      if (current) current.attempt.result = 'refused';
      current = null;
      if (methodsLeft) session.serverMethods = [...methodsLeft];
      const publickeyAllowed = !methodsLeft || methodsLeft.includes('publickey');
      while (++index < candidates.length) {
        const c = candidates[index];
        if (!c.method) continue;
        if (!publickeyAllowed) {
          c.attempt.result = 'skipped';
          c.attempt.reason = 'the server does not accept public keys';
          continue;
        }
        current = c;
        const m = c.method;
        next(m.type === 'agent'
          ? { type: 'agent', username: user, agent: m.agent }
          : { type: 'publickey', username: user, key: m.key });
        return;
      }
      next(false as never);
    },
  };
  return session;
}

export interface AuthFailureDetails {
  kind: 'auth-failed';
  host: string;
  port: number;
  user: string;
  attempts: AuthAttempt[];
  serverMethods: string[] | null;
}

/** The refusal naming the host, port, user and each key tried or skipped, and why. */
export function authError(host: string, port: number, user: string, session: AuthSession, serverNote?: string): HarnessError {
  const lines = session.attempts.map((a) => {
    const what = a.source === 'agent' ? `ssh-agent${a.key ? ` key ${a.key}` : ''}` : `${a.source}${a.key ? ` (${a.key})` : ''}`;
    return a.result === 'skipped' ? `${what}: skipped, ${a.reason}`
      : a.result === 'not-tried' ? `${what}: not tried (the server stopped the login)`
        : `${what}: ${a.result}`;
  });
  const offered = session.attempts.some((a) => a.result === 'refused' || a.result === 'accepted');
  const methods = session.serverMethods ? ` The server accepts: ${session.serverMethods.join(', ') || 'nothing'}.` : '';
  const tried = lines.length > 0 ? ` Methods tried (publickey): ${lines.join('; ')}.` : ' No key to offer: no ssh-agent, no identity_file, no ~/.ssh/id_* key.';
  const hint = offered
    ? ` Add one of these public keys to ~${user}/.ssh/authorized_keys on the host, or set identity_file to a key it accepts.`
    : ' Set identity_file, add a key to ssh-agent, or create ~/.ssh/id_ed25519 (ssh-keygen -t ed25519) and authorize it on the host.';
  return new HarnessError(
    'UNAUTHORIZED',
    `SSH login refused for ${user}@${host} port ${port}.${serverNote ? ` ${serverNote}.` : ''}${tried}${methods}${hint}`,
    { kind: 'auth-failed', host, port, user, attempts: session.attempts, serverMethods: session.serverMethods } satisfies AuthFailureDetails,
  );
}
