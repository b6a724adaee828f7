// Real SSH hosts for tests: network namespaces on a bridge, each with its own sshd, host keys and
// private /etc/ssh, /root, /opt, /run, /tmp (scripts/test-hosts.sh makes them), plus a client side
// in a temporary HOME (keys, known_hosts; never the real ~/.ssh). Everything is removed by
// destroy(), at process exit, and otherwise by the sweeper at the start of the next run.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { SshPoolOptions } from '../../ssh/ssh-pool.js';
import { cleanupOnSignals } from '../cleanup-on-signals.js';
import { makeClient, type TestClient } from './test-client.js';

export const TEST_HOSTS_SCRIPT = fileURLToPath(new URL('../../../scripts/test-hosts.sh', import.meta.url));

let skipReason: Promise<string | null> | null = null;

/** Why hosts cannot be made here (not root, a tool missing), or null. Cached per process. */
export function testHostsSkipReason(): Promise<string | null> {
  skipReason ??= (async () => {
    if (process.platform !== 'linux') return 'test hosts need Linux network namespaces';
    for (const tool of ['ssh-keygen', 'ssh-agent', 'ssh-add']) {
      const found = await execa('sh', ['-c', `command -v ${tool}`], { reject: false });
      if (found.exitCode !== 0) return `${tool} is missing (install openssh-client)`;
    }
    const r = await execa('bash', [TEST_HOSTS_SCRIPT, 'check'], { reject: false });
    return r.exitCode === 0 ? null : (r.stdout.trim() || r.stderr.trim() || 'test-hosts.sh check failed');
  })();
  return skipReason;
}

export interface HostKeyInfo {
  /** e.g. ssh-ed25519 */
  type: string;
  /** `type base64` */
  text: string;
  blob: Buffer;
  /** As `ssh-keygen -lf` prints it, computed by ssh-keygen (not by the code under test). */
  fingerprint: string;
}

interface RunDescription {
  run: string;
  dir: string;
  bridge: string;
  subnet: string;
  localAddress: string;
  hosts: Array<{ index: number; netns: string; veth: string; address: string; ports: number[]; dir: string; anchorPid: number; sshdPid: number; hostKeys: string[] }>;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
  exitCode: number;
}

export class TestHost {
  constructor(
    private readonly set: TestHostSet,
    readonly index: number,
    readonly address: string,
    readonly ports: number[],
    readonly netns: string,
    readonly veth: string,
    /** This machine's path of the host's private directories (etc-ssh, root, opt, run, tmp). */
    readonly dir: string,
    readonly anchorPid: number,
    readonly hostKeys: HostKeyInfo[],
  ) {}

  /** The second sshd port, when the set was made with one. */
  get port2(): number | undefined { return this.ports[1]; }

  key(type: string): HostKeyInfo {
    const k = this.hostKeys.find((h) => h.type === type);
    if (!k) throw new Error(`host ${this.index} has no ${type} key`);
    return k;
  }

  /** Runs argv inside the host (its network and mount namespaces), as root. */
  async run(argv: string[], opts: { input?: string | Buffer } = {}): Promise<RunResult> {
    const r = await execa('nsenter', ['-t', String(this.anchorPid), '-n', '-m', '--', ...argv], {
      reject: false, encoding: 'buffer', stripFinalNewline: false, input: opts.input, timeout: 30_000,
    });
    const out = Buffer.from(r.stdout as Uint8Array);
    return { stdout: out.toString('utf8'), stderr: Buffer.from(r.stderr as Uint8Array).toString('utf8'), stdoutBytes: out, exitCode: r.exitCode ?? -1 };
  }

  async readFile(path: string): Promise<Buffer> {
    const r = await this.run(['cat', '--', path]);
    if (r.exitCode !== 0) throw new Error(`cat ${path} on host ${this.index}: ${r.stderr}`);
    return r.stdoutBytes;
  }

  async exists(path: string): Promise<boolean> {
    return (await this.run(['test', '-e', path])).exitCode === 0;
  }

  async sha256(path: string): Promise<string> {
    const r = await this.run(['sha256sum', '--', path]);
    if (r.exitCode !== 0) throw new Error(`sha256sum ${path} on host ${this.index}: ${r.stderr}`);
    return r.stdout.split(/\s/)[0];
  }

  /** Octal permission bits, e.g. '600'. */
  async mode(path: string): Promise<string> {
    return (await this.run(['stat', '-c', '%a', '--', path])).stdout.trim();
  }

  /** Cuts the host's link (its bridge-side veth down): packets are dropped, nothing is reset. */
  cutLink(): Promise<void> { return this.script('link', String(this.index), 'down'); }
  restoreLink(): Promise<void> { return this.script('link', String(this.index), 'up'); }

  /** Stops every sshd process of the host (listener and per-connection ones), SIGTERM or SIGKILL. */
  stopSshd(opts: { kill?: boolean } = {}): Promise<void> { return this.script('sshd', String(this.index), opts.kill ? 'kill' : 'stop'); }
  /** Starts sshd again with the same config and host keys; resolves once it listens. */
  startSshd(): Promise<void> { return this.script('sshd', String(this.index), 'start'); }

  /** sshd's log (LogLevel VERBOSE): "Connection from …", "Accepted publickey …". */
  sshdLog(): Promise<string> { return readFile(join(this.dir, 'etc-ssh', 'sshd.log'), 'utf8'); }

  /** Lines of the sshd log matching `re`. */
  async countLog(re: RegExp): Promise<number> {
    return (await this.sshdLog()).split('\n').filter((l) => re.test(l)).length;
  }

  /** Replaces the host's authorized_keys (the file sshd reads for root). */
  async authorize(publicKeys: string[]): Promise<void> {
    await writeFile(join(this.dir, 'etc-ssh', 'authorized_keys'), publicKeys.map((k) => `${k.trim()}\n`).join(''), { mode: 0o600 });
  }

  private async script(...args: string[]): Promise<void> {
    await execa('bash', [TEST_HOSTS_SCRIPT, args[0], this.set.run, ...args.slice(1)], { timeout: 30_000 });
  }
}

// Interrupted runs clean up before dying (cleanupOnSignals); hosts left by a SIGKILL are removed
// by the sweeper at the start of the next run.
const liveSets = new Set<TestHostSet>();
let signalsHooked = false;
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  cleanupOnSignals(() => {
    for (const set of liveSets) set.destroyNow();
  });
}

export class TestHostSet {
  private destroyed = false;
  private readonly onExit = () => this.destroyNow();

  constructor(
    readonly run: string,
    readonly dir: string,
    readonly bridge: string,
    readonly subnet: string,
    /** This machine's address on the LAN: what the hosts see it as. */
    readonly localAddress: string,
    readonly hosts: TestHost[],
    readonly client: TestClient,
  ) {
    process.once('exit', this.onExit);
    liveSets.add(this);
    hookSignals();
  }

  /** known_hosts lines (plain names) for the given hosts: every key, port 22 and the second port. */
  knownHostsLines(hosts: TestHost[] = this.hosts): string[] {
    return hosts.flatMap((h) => h.ports.flatMap((port) => h.hostKeys.map((k) => `${port === 22 ? h.address : `[${h.address}]:${port}`} ${k.text}`)));
  }

  /** Pool options pointing only at this set's client files (no agent, no real ~/.ssh, no /etc). */
  poolOptions(extra: SshPoolOptions = {}): SshPoolOptions {
    return {
      homeDir: this.client.home,
      knownHostsFiles: [this.client.knownHosts],
      globalKnownHostsFiles: [],
      agentSocket: null,
      ...extra,
    };
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    process.off('exit', this.onExit);
    liveSets.delete(this);
    await this.client.dispose();
    await execa('bash', [TEST_HOSTS_SCRIPT, 'destroy', this.run], { reject: false, timeout: 60_000 });
  }

  /** Synchronous teardown, for exit and signal handlers. */
  destroyNow(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    liveSets.delete(this);
    this.client.disposeSync();
    try { execFileSync('bash', [TEST_HOSTS_SCRIPT, 'destroy', this.run], { stdio: 'ignore', timeout: 30_000 }); } catch { /* the sweeper finishes it */ }
  }
}

export interface TestHostsOptions {
  /** Default 1. */
  hosts?: number;
  /** A second sshd port on every host (besides 22). Default none. */
  port2?: number;
}

async function fingerprintOf(text: string, scratch: string): Promise<string> {
  const file = join(scratch, `k${Math.random().toString(36).slice(2)}.pub`);
  await writeFile(file, `${text}\n`);
  const r = await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', file]);
  await rm(file, { force: true });
  return r.stdout.split(/\s+/)[1];
}

/** Makes the hosts and the client side. Call destroy() in afterAll. */
export async function createTestHosts(opts: TestHostsOptions = {}): Promise<TestHostSet> {
  await execa('bash', [TEST_HOSTS_SCRIPT, 'sweep'], { reject: false, timeout: 60_000 });
  const scratch = await mkdtemp(join(tmpdir(), 'hxt-client-'));
  const client = await makeClient(scratch);
  const authorized = join(scratch, 'authorized_keys');
  await writeFile(authorized, client.authorizedKeys.map((k) => `${k}\n`).join(''));
  const args = ['create', '--hosts', String(opts.hosts ?? 1), '--owner', String(process.pid), '--authorized-keys', authorized];
  if (opts.port2) args.push('--port2', String(opts.port2));
  let desc: RunDescription;
  try {
    const r = await execa('bash', [TEST_HOSTS_SCRIPT, ...args], { timeout: 60_000 });
    desc = JSON.parse(r.stdout) as RunDescription;
  } catch (err) {
    await client.dispose();
    throw err;
  }
  const set = new TestHostSet(desc.run, desc.dir, desc.bridge, desc.subnet, desc.localAddress, [], client);
  try {
    for (const h of desc.hosts) {
      const keys: HostKeyInfo[] = [];
      for (const text of h.hostKeys) {
        const [type, b64] = text.split(' ');
        keys.push({ type, text, blob: Buffer.from(b64, 'base64'), fingerprint: await fingerprintOf(text, scratch) });
      }
      set.hosts.push(new TestHost(set, h.index, h.address, h.ports, h.netns, h.veth, h.dir, h.anchorPid, keys));
    }
    await writeFile(client.knownHosts, set.knownHostsLines().map((l) => `${l}\n`).join(''), { mode: 0o600 });
  } catch (err) {
    await set.destroy();
    throw err;
  }
  return set;
}
