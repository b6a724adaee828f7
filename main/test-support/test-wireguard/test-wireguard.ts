// Real WireGuard tunnels for tests: userspace wireguard-go + wg between this machine and SSH test
// hosts (scripts/test-wireguard.sh makes them on top of scripts/test-hosts.sh). Each host is then
// a WireGuard peer with sshd on its tunnel address. Everything is removed by destroy(), at process
// exit or on SIGINT/SIGTERM, and otherwise by the sweeper (scripts/setup-test-env.sh --stop, and
// at the start of the next createTestTunnel).
import { execFileSync } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { cleanupOnSignals } from '../cleanup-on-signals.js';
import { testHostsSkipReason, type TestHost, type TestHostSet } from '../test-hosts/test-hosts.js';

export const TEST_WIREGUARD_SCRIPT = fileURLToPath(new URL('../../../scripts/test-wireguard.sh', import.meta.url));

let skipReason: Promise<string | null> | null = null;

/** Why tunnels cannot be made here (no test hosts, wireguard-go missing, no TUN), or null. */
export function wireguardSkipReason(): Promise<string | null> {
  skipReason ??= (async () => {
    const hosts = await testHostsSkipReason();
    if (hosts) return hosts;
    const r = await execa('bash', [TEST_WIREGUARD_SCRIPT, 'check'], { reject: false });
    return r.exitCode === 0 ? null : (r.stdout.trim() || r.stderr.trim() || 'test-wireguard.sh check failed');
  })();
  return skipReason;
}

interface TunnelDescription {
  run: string;
  hostsReachEachOther: boolean;
  dir: string;
  hostsRun: string;
  subnet: string;
  interface: string;
  localAddress: string;
  underlay: string;
  listenPort: number;
  publicKey: string;
  wgPid: number;
  hosts: Array<{ index: number; netns: string; interface: string; address: string; underlay: string; listenPort: number; publicKey: string; wgPid: number; sshdPid: number }>;
}

export interface TunnelPeer {
  /** The SSH test host at the other end. */
  host: TestHost;
  /** Its WireGuard interface, inside its network namespace. */
  interfaceName: string;
  /** Its address inside the tunnel: sshd listens here too. */
  address: string;
  /** Its LAN address, which carries the tunnel's UDP. */
  underlay: string;
  listenPort: number;
  publicKey: string;
  wgPid: number;
}

const liveTunnels = new Set<TestTunnel>();
let signalsHooked = false;
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  // Ahead of the test hosts' own handler (they are made first), so tunnels go before the
  // namespaces they live in.
  cleanupOnSignals(() => {
    for (const t of liveTunnels) t.destroyNow();
  }, { first: true });
}

export class TestTunnel {
  private destroyed = false;
  private readonly onExit = () => this.destroyNow();

  constructor(
    readonly run: string,
    readonly dir: string,
    readonly hosts: TestHostSet,
    /** 10.214.N.0/24 */
    readonly subnet: string,
    /** This machine's WireGuard interface. */
    readonly interfaceName: string,
    /** This machine's address in the tunnel: what the peers reach it at. */
    readonly localAddress: string,
    readonly listenPort: number,
    readonly publicKey: string,
    readonly peers: TunnelPeer[],
    /** Peers reach each other through this machine (more than one host, ip_forward on). */
    readonly hostsReachEachOther: boolean,
  ) {
    process.prependOnceListener('exit', this.onExit);
    liveTunnels.add(this);
    hookSignals();
  }

  peer(index: number): TunnelPeer {
    const p = this.peers.find((x) => x.host.index === index);
    if (!p) throw new Error(`tunnel ${this.run} has no peer for host ${index}`);
    return p;
  }

  /** Takes this machine's tunnel interface down: the tunnel carries nothing until up(). */
  down(): Promise<void> {
    return this.script('tunnel', this.run, 'down');
  }

  up(): Promise<void> {
    return this.script('tunnel', this.run, 'up');
  }

  /** A tmpfs of `size` (e.g. '4m') at `path` inside the host: a small disk that fills up. */
  mountTmpfs(peer: TunnelPeer, path: string, size: string): Promise<void> {
    return this.script('tmpfs', this.hosts.run, String(peer.host.index), path, size);
  }

  unmountTmpfs(peer: TunnelPeer, path: string): Promise<void> {
    return this.script('untmpfs', this.hosts.run, String(peer.host.index), path);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    process.off('exit', this.onExit);
    liveTunnels.delete(this);
    await execa('bash', [TEST_WIREGUARD_SCRIPT, 'destroy', this.run], { reject: false, timeout: 60_000 });
  }

  /** Synchronous teardown, for exit and signal handlers. */
  destroyNow(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    liveTunnels.delete(this);
    try {
      execFileSync('bash', [TEST_WIREGUARD_SCRIPT, 'destroy', this.run], { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // the sweeper finishes it
    }
  }

  private async script(...args: string[]): Promise<void> {
    await execa('bash', [TEST_WIREGUARD_SCRIPT, ...args], { timeout: 30_000 });
  }
}

export interface TestTunnelOptions {
  /** Host indexes to make peers of (default: every host of the set). */
  hosts?: number[];
}

/** A tunnel from this machine to hosts of `set`; their tunnel addresses are added to the set's
 * client known_hosts (same host keys). Call destroy() before the set's own destroy(). */
export async function createTestTunnel(set: TestHostSet, opts: TestTunnelOptions = {}): Promise<TestTunnel> {
  await execa('bash', [TEST_WIREGUARD_SCRIPT, 'sweep'], { reject: false, timeout: 60_000 });
  const args = ['create', '--hosts-run', set.run, '--owner', String(process.pid)];
  for (const i of opts.hosts ?? []) args.push('--host', String(i));
  const r = await execa('bash', [TEST_WIREGUARD_SCRIPT, ...args], { timeout: 60_000 });
  const d = JSON.parse(r.stdout) as TunnelDescription;
  const peers: TunnelPeer[] = d.hosts.map((h) => {
    const host = set.hosts.find((x) => x.index === h.index);
    if (!host) throw new Error(`tunnel ${d.run}: no test host ${h.index}`);
    return { host, interfaceName: h.interface, address: h.address, underlay: h.underlay, listenPort: h.listenPort, publicKey: h.publicKey, wgPid: h.wgPid };
  });
  const tunnel = new TestTunnel(d.run, d.dir, set, d.subnet, d.interface, d.localAddress, d.listenPort, d.publicKey, peers, d.hostsReachEachOther);
  try {
    const lines = peers.flatMap((p) => p.host.hostKeys.map((k) => `${p.address} ${k.text}\n`));
    await appendFile(set.client.knownHosts, lines.join(''));
  } catch (err) {
    await tunnel.destroy();
    throw err;
  }
  return tunnel;
}
