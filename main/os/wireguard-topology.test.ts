// WireGuard detection: on captured `wg show all dump` and `ip -j -d addr` outputs (private keys
// dropped, other namespaces' interfaces left out, the longest allowed-ips prefix wins, declared
// networks), then for real on a wireguard-go tunnel to a test host, as root and as a user whom
// `wg` refuses.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeclaredNetwork } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { createTestHosts, type TestHostSet } from '../test-support/test-hosts/test-hosts.js';
import { createTestTunnel, wireguardSkipReason, type TestTunnel } from '../test-support/test-wireguard/test-wireguard.js';
import { parseIpAddr, runCommand, type CommandResult, type CommandRunner } from './ip-links.js';
import { parseWgDump, readWgDump } from './wg-dump.js';
import { cidrContains, detectWireGuard, findTunnel, tunnelForHost, WireGuardDetector } from './wireguard-topology.js';

const key = (c: string) => Buffer.alloc(32, c).toString('base64');
const PRIV_WG0 = key('P');
const PRIV_OTHER = key('Q');
const PSK = key('S');
const PUB_WG0 = key('a');
const PUB_PEER1 = key('b');
const PUB_PEER2 = key('c');

// As `wg show all dump` prints it: wg1 belongs to another network namespace (userspace sockets).
const DUMP = [
  ['wg0', PRIV_WG0, PUB_WG0, '51820', 'off'],
  ['wg0', PUB_PEER1, PSK, '203.0.113.7:51820', '10.8.0.0/24,fd00:8::/64', '1796143362', '628', '380', '25'],
  ['wg0', PUB_PEER2, '(none)', '(none)', '10.8.0.9/32', '0', '0', '0', 'off'],
  ['wg1', PRIV_OTHER, key('d'), '41131', 'off'],
  ['wg1', key('e'), '(none)', '10.213.224.1:51104', '10.214.108.0/24', '0', '0', '0', 'off'],
  ['broken line without tabs'],
].map((f) => f.join('\t')).join('\n');

const IP_ADDR = JSON.stringify([
  { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }] },
  { ifindex: 2, ifname: 'eth0', flags: ['BROADCAST', 'UP'], addr_info: [{ family: 'inet', local: '192.0.2.2', prefixlen: 24, scope: 'global' }] },
  {
    ifindex: 7, ifname: 'wg0', flags: ['POINTOPOINT', 'NOARP', 'UP'], linkinfo: { info_kind: 'wireguard' },
    addr_info: [{ family: 'inet', local: '10.8.0.1', prefixlen: 24 }, { family: 'inet6', local: 'fd00:8::1', prefixlen: 64 }, { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' }],
  },
  { ifindex: 9, ifname: 'tun3', flags: ['POINTOPOINT', 'UP'], linkinfo: { info_kind: 'tun' }, addr_info: [{ family: 'inet', local: '10.99.0.2', prefixlen: 32 }] },
]);

function captured(outputs: Record<string, Partial<CommandResult>>): CommandRunner {
  return async (file, args) => {
    const o = outputs[[file, ...args].join(' ')];
    if (!o) return { code: 1, stdout: Buffer.alloc(0), stderr: `no capture for ${file} ${args.join(' ')}` };
    return { code: 0, stdout: Buffer.alloc(0), stderr: '', ...o, ...(o.stdout ? { stdout: Buffer.from(o.stdout) } : {}) };
  };
}

const machine = (extra: Record<string, Partial<CommandResult>> = {}) =>
  captured({ 'ip -j -d addr show': { stdout: Buffer.from(IP_ADDR) }, 'wg show all dump': { stdout: Buffer.from(DUMP) }, ...extra });

describe('parsing', () => {
  it('reads interfaces and peers from the dump and keeps no private or preshared key', () => {
    const ifs = parseWgDump(DUMP);
    expect(ifs.map((i) => i.name)).toEqual(['wg0', 'wg1']);
    expect(ifs[0]).toEqual({
      name: 'wg0', addresses: [], publicKey: PUB_WG0, listenPort: 51820, source: 'wg',
      peers: [
        { publicKey: PUB_PEER1, endpoint: '203.0.113.7:51820', allowedIps: ['10.8.0.0/24', 'fd00:8::/64'], latestHandshake: 1796143362, rxBytes: 628, txBytes: 380, persistentKeepalive: 25 },
        { publicKey: PUB_PEER2, allowedIps: ['10.8.0.9/32'], rxBytes: 0, txBytes: 0 },
      ],
    });
    const all = JSON.stringify(ifs);
    for (const secret of [PRIV_WG0, PRIV_OTHER, PSK]) expect(all).not.toContain(secret);
  });

  it('zeroes the raw dump once parsed, and never quotes it in a failure', async () => {
    const raw = Buffer.from(DUMP);
    const run: CommandRunner = async () => ({ code: 0, stdout: raw, stderr: '' });
    expect((await readWgDump(run)).interfaces).toHaveLength(2);
    expect(raw.every((b) => b === 0)).toBe(true);
    const failing: CommandRunner = async () => ({ code: 1, stdout: Buffer.from(DUMP), stderr: `Unable to access interface wg0: Permission denied\n${PRIV_WG0}\n` });
    const r = await readWgDump(failing);
    expect(r).toEqual({ status: 'not-permitted', reason: 'Unable to access interface wg0: Permission denied', interfaces: [] });
    const missing: CommandRunner = async () => ({ code: null, stdout: Buffer.alloc(0), stderr: '', error: 'ENOENT' });
    expect((await readWgDump(missing)).status).toBe('wg-missing');
  });

  it('reads links, kinds and addresses from ip -j -d addr', () => {
    const links = parseIpAddr(IP_ADDR);
    expect(links.find((l) => l.name === 'wg0')).toEqual({
      name: 'wg0', index: 7, kind: 'wireguard', up: true,
      addresses: [{ address: '10.8.0.1', prefixLen: 24, family: 4 }, { address: 'fd00:8::1', prefixLen: 64, family: 6 }, { address: 'fe80::1', prefixLen: 64, family: 6, scope: 'link' }],
    });
    expect(links.find((l) => l.name === 'eth0')?.kind).toBeUndefined();
  });

  it('matches addresses against CIDR ranges of either family', () => {
    expect(cidrContains('10.8.0.0/24', '10.8.0.77')).toBe(true);
    expect(cidrContains('10.8.0.0/24', '10.8.1.1')).toBe(false);
    expect(cidrContains('fd00:8::/64', 'fd00:8::42')).toBe(true);
    expect(cidrContains('10.8.0.0/24', 'fd00:8::42')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '198.51.100.1')).toBe(true);
    expect(cidrContains('nonsense', '10.0.0.1')).toBe(false);
  });
});

describe('detection and matching on captured output', () => {
  it('keeps only interfaces of this namespace, with their addresses', async () => {
    const t = await detectWireGuard({ run: machine(), now: () => 42, socketDir: '/nonexistent' });
    expect(t.interfaces.map((i) => [i.name, i.source, i.addresses])).toEqual([['wg0', 'wg', ['10.8.0.1/24', 'fd00:8::1/64', 'fe80::1/64']]]);
    expect(t.otherNamespaces).toEqual(['wg1']);
    expect(t.status).toBe('ok');
    expect(t.detectedAt).toBe(42);
  });

  it('picks the peer with the longest matching prefix and this machine\'s address in the host\'s family', async () => {
    const t = await detectWireGuard({ run: machine(), socketDir: '/nonexistent' });
    expect(findTunnel(t, '10.8.0.9')).toMatchObject({ interface: 'wg0', matched: '10.8.0.9/32', localAddress: '10.8.0.1', by: 'allowed-ips', peer: { publicKey: PUB_PEER2 } });
    expect(findTunnel(t, '10.8.0.20')).toMatchObject({ interface: 'wg0', matched: '10.8.0.0/24', peer: { publicKey: PUB_PEER1 } });
    expect(findTunnel(t, 'fd00:8::20')).toMatchObject({ interface: 'wg0', localAddress: 'fd00:8::1' });
    expect(findTunnel(t, '10.214.108.10')).toBeNull();
  });

  it('fails for a host no tunnel reaches, naming the host and every interface looked at', async () => {
    const t = await detectWireGuard({ run: machine(), socketDir: '/nonexistent' });
    const err = (await tunnelForHost(t, '10.214.108.10').catch((e) => e)) as HarnessError;
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain('WireGuard host 10.214.108.10: no WireGuard tunnel of this machine reaches it');
    expect(err.message).toContain('looked at wg0 (allowed-ips 10.8.0.0/24, fd00:8::/64, 10.8.0.9/32)');
    expect(err.message).toContain('left out wg1 (in another network namespace)');
    expect(err.message).toContain('networks:');
    const named = (await tunnelForHost(t, 'db.internal', { resolve: async () => ['10.8.1.5'] }).catch((e) => e)) as HarnessError;
    expect(named.message).toContain('WireGuard host db.internal (10.8.1.5)');
    const unresolved = (await tunnelForHost(t, 'nowhere.invalid', { resolve: async () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' })) }).catch((e) => e)) as HarnessError;
    expect(unresolved.message).toBe("WireGuard host nowhere.invalid: the name does not resolve (ENOTFOUND); use the peer's tunnel address");
  });

  it('uses declared networks where wg is refused, and a route lookup for WireGuard links it sees', async () => {
    const refused = machine({ 'wg show all dump': { code: 1, stderr: 'Unable to access interface: Operation not permitted\n' } });
    const declared: DeclaredNetwork[] = [{ name: 'office', type: 'wireguard', interface: 'wg0', address: '10.8.0.1', peers: ['10.8.0.0/24', '10.9.0.7'] }];
    const t = await detectWireGuard({ run: refused, declared, socketDir: '/nonexistent' });
    expect(t.status).toBe('not-permitted');
    expect(t.interfaces.map((i) => [i.name, i.source])).toEqual([['wg0', 'link'], ['wg0', 'declared']]);
    expect(findTunnel(t, '10.9.0.7')).toEqual({ interface: 'wg0', address: '10.9.0.7', localAddress: '10.8.0.1', matched: '10.9.0.7/32', by: 'declared', network: 'office' });
    // Not declared, but the kernel routes it into wg0: that is the tunnel.
    const routed = machine({ 'wg show all dump': { code: 1, stderr: 'Permission denied' }, 'ip -j route get 10.20.0.5': { stdout: Buffer.from('[{"dst":"10.20.0.5","dev":"wg0"}]') } });
    const t2 = await detectWireGuard({ run: routed, socketDir: '/nonexistent' });
    expect(await tunnelForHost(t2, '10.20.0.5', { run: routed })).toEqual({ interface: 'wg0', address: '10.20.0.5', localAddress: '10.8.0.1', by: 'route' });
    const err = (await tunnelForHost(t2, '10.30.0.5', { run: routed }).catch((e) => e)) as HarnessError;
    expect(err.message).toContain('looked at wg0 (peers unknown); `wg show` gave no peers: Permission denied');
  });

  it('caches a detection for its time to live', async () => {
    let calls = 0;
    const counting: CommandRunner = async (file, args) => {
      if (file === 'wg') calls++;
      return machine()(file, args);
    };
    let now = 1000;
    const d = new WireGuardDetector({ run: counting, now: () => now, ttlMs: 5000, socketDir: '/nonexistent' });
    expect(d.last()).toBeUndefined();
    await Promise.all([d.detect(), d.detect()]);
    await d.detect();
    expect(calls).toBe(1);
    now += 6000;
    await d.detect();
    expect(calls).toBe(2);
    expect((await d.tunnelFor('10.8.0.9')).interface).toBe('wg0');
    expect(d.last()?.interfaces[0].name).toBe('wg0');
  });
});

const skip = await wireguardSkipReason();
const setpriv = (await execa('sh', ['-c', 'command -v setpriv'], { reject: false })).exitCode === 0;

describe.skipIf(skip !== null)(`detection on a real wireguard-go tunnel${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let tunnel: TestTunnel;
  beforeAll(async () => {
    set = await createTestHosts({ hosts: 1 });
    tunnel = await createTestTunnel(set);
  }, 90_000);
  afterAll(async () => {
    await tunnel?.destroy();
    await set?.destroy();
  }, 90_000);

  it('finds this machine\'s tunnel interface, its address and its peer, and not the host\'s interface', async () => {
    const t = await detectWireGuard();
    expect(t.status).toBe('ok');
    const mine = t.interfaces.find((i) => i.name === tunnel.interfaceName);
    expect(mine).toMatchObject({ source: 'wg', publicKey: tunnel.publicKey, listenPort: tunnel.listenPort, addresses: expect.arrayContaining([`${tunnel.localAddress}/24`]) });
    expect(mine?.peers).toEqual([expect.objectContaining({ publicKey: tunnel.peer(0).publicKey, endpoint: `${tunnel.peer(0).underlay}:${tunnel.peer(0).listenPort}`, allowedIps: [`${tunnel.peer(0).address}/32`] })]);
    expect(t.interfaces.map((i) => i.name)).not.toContain(tunnel.peer(0).interfaceName);
    expect(t.otherNamespaces).toContain(tunnel.peer(0).interfaceName);
    const m = await tunnelForHost(t, tunnel.peer(0).address);
    expect(m).toMatchObject({ interface: tunnel.interfaceName, localAddress: tunnel.localAddress, by: 'allowed-ips' });
  });

  it('inside the host\'s namespace, finds the host\'s interface instead', async () => {
    // The same detection with every command run in the host's network namespace.
    const inHost: CommandRunner = (file, args) => runCommand('nsenter', ['-t', String(tunnel.peer(0).host.anchorPid), '-n', '--', file, ...args]);
    const t = await detectWireGuard({ run: inHost });
    expect(t.interfaces.map((i) => i.name)).toEqual([tunnel.peer(0).interfaceName]);
    expect(t.otherNamespaces).toContain(tunnel.interfaceName);
    expect(await tunnelForHost(t, tunnel.localAddress, { run: inHost })).toMatchObject({ interface: tunnel.peer(0).interfaceName, localAddress: tunnel.peer(0).address, matched: tunnel.subnet });
  });

  it.skipIf(!setpriv)(`as a user wg refuses: still sees the interface by its socket, and routes the host into it${setpriv ? '' : ' (skipped: setpriv is missing)'}`, async () => {
    const wg = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'wg'];
    const t = await detectWireGuard({ wg });
    expect(t.status).toBe('not-permitted');
    expect(t.reason).toMatch(/Permission denied/);
    expect(t.interfaces.find((i) => i.name === tunnel.interfaceName)).toMatchObject({ source: 'link', peers: [] });
    expect(await tunnelForHost(t, tunnel.peer(0).address)).toMatchObject({ interface: tunnel.interfaceName, localAddress: tunnel.localAddress, by: 'route' });
    // An address outside every tunnel: named, with what was looked at.
    await expect(tunnelForHost(t, '198.51.100.9')).rejects.toThrow(/WireGuard host 198\.51\.100\.9: no WireGuard tunnel of this machine reaches it: looked at .*hxw.*\(peers unknown\).*Permission denied/);
  });

  it('never writes a private key where it could be read back: not in the result, not in an error', async () => {
    const keys = (await execa('sh', ['-c', `cat ${tunnel.dir}/*.key`])).stdout.split('\n').filter(Boolean);
    expect(keys.length).toBeGreaterThan(1);
    const t = await detectWireGuard();
    const text = JSON.stringify(t);
    const err = await tunnelForHost(t, '198.51.100.9').catch((e: Error) => e.message);
    for (const k of keys) {
      expect(text).not.toContain(k);
      expect(String(err)).not.toContain(k);
    }
  });
});
