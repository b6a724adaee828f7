// The client side of the test hosts: a temporary HOME whose ~/.ssh holds the default identities
// and known_hosts, extra keys elsewhere (one authorized only through ssh-agent, one never
// authorized), and real ssh-agents on demand.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export interface KeyPair {
  path: string;
  /** `type base64 comment`, as in the .pub file. */
  publicKey: string;
  /** From `ssh-keygen -lf`. */
  fingerprint: string;
}

export interface TestAgent {
  socket: string;
  stop(): Promise<void>;
}

export interface TestClient {
  /** The temporary HOME. */
  home: string;
  sshDir: string;
  /** ~/.ssh/known_hosts of the temporary HOME: every host key of the set. */
  knownHosts: string;
  keys: {
    /** ~/.ssh/id_ed25519: authorized, found as a default identity. */
    default: KeyPair;
    /** ~/.ssh/id_ecdsa: authorized but passphrase-protected ('hx-passphrase'), so skipped. */
    encrypted: KeyPair;
    /** Outside ~/.ssh, authorized: for identity_file. */
    explicit: KeyPair;
    /** Outside ~/.ssh, authorized: for ssh-agent. */
    agent: KeyPair;
    /** Outside ~/.ssh, never authorized. */
    wrong: KeyPair;
  };
  /** Public keys the hosts accept. */
  authorizedKeys: string[];
  /** Starts a real ssh-agent holding `keys`. */
  startAgent(keys: KeyPair[]): Promise<TestAgent>;
  dispose(): Promise<void>;
  disposeSync(): void;
}

export const ENCRYPTED_KEY_PASSPHRASE = 'hx-passphrase';

async function keygen(path: string, type: 'ed25519' | 'ecdsa', passphrase = ''): Promise<KeyPair> {
  await execa('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', `hxt-client-${path.split('/').pop()}`, '-f', path]);
  const publicKey = (await readFile(`${path}.pub`, 'utf8')).trim();
  const fp = await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`]);
  return { path, publicKey, fingerprint: fp.stdout.split(/\s+/)[1] };
}

async function waitForSocket(path: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`ssh-agent exited (${child.exitCode})`);
    const ok = await execa('test', ['-S', path], { reject: false });
    if (ok.exitCode === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ssh-agent did not create ${path} within 5 s`);
}

export async function makeClient(scratch: string): Promise<TestClient> {
  const home = join(scratch, 'home');
  const sshDir = join(home, '.ssh');
  const keyDir = join(scratch, 'keys');
  await mkdir(sshDir, { recursive: true, mode: 0o700 });
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  const [def, encrypted, explicit, agent, wrong] = await Promise.all([
    keygen(join(sshDir, 'id_ed25519'), 'ed25519'),
    keygen(join(sshDir, 'id_ecdsa'), 'ecdsa', ENCRYPTED_KEY_PASSPHRASE),
    keygen(join(keyDir, 'explicit_ecdsa'), 'ecdsa'),
    keygen(join(keyDir, 'agent_ed25519'), 'ed25519'),
    keygen(join(keyDir, 'wrong_ed25519'), 'ed25519'),
  ]);
  const agents = new Set<ChildProcess>();
  let n = 0;
  const client: TestClient = {
    home,
    sshDir,
    knownHosts: join(sshDir, 'known_hosts'),
    keys: { default: def, encrypted, explicit, agent, wrong },
    authorizedKeys: [def, encrypted, explicit, agent].map((k) => k.publicKey),
    async startAgent(keys) {
      const socket = join(scratch, `agent-${++n}.sock`);
      const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
      agents.add(child);
      const stop = async () => {
        agents.delete(child);
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        await rm(socket, { force: true });
      };
      try {
        await waitForSocket(socket, child);
        for (const k of keys) await execa('ssh-add', ['-q', k.path], { env: { SSH_AUTH_SOCK: socket }, timeout: 10_000 });
      } catch (err) {
        await stop();
        throw err;
      }
      return { socket, stop };
    },
    async dispose() {
      for (const a of agents) a.kill('SIGTERM');
      agents.clear();
      await rm(scratch, { recursive: true, force: true });
    },
    disposeSync() {
      for (const a of agents) a.kill('SIGTERM');
      agents.clear();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  return client;
}
