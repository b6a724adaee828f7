// The WireGuard test fixture itself: a real userspace tunnel carries TCP both ways and SSH to the
// host's tunnel address, stops carrying when its interface or its link is cut and carries again
// after, gives a host a small tmpfs, and leaves nothing when torn down or swept.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHosts, type TestHost, type TestHostSet } from '../test-hosts/test-hosts.js';
import { createTestTunnel, TEST_WIREGUARD_SCRIPT, wireguardSkipReason, type TestTunnel } from './test-wireguard.js';

const skip = await wireguardSkipReason();

async function links(netns?: string): Promise<string[]> {
  const r = await execa('ip', [...(netns ? ['-n', netns] : []), '-br', 'link'], { reject: false });
  return r.stdout.split('\n').map((l) => l.split(/\s+/)[0].split('@')[0]).filter(Boolean);
}
async function sockets(): Promise<string[]> {
  return existsSync('/var/run/wireguard') ? readdir('/var/run/wireguard') : [];
}
async function wgProcesses(run: string): Promise<string[]> {
  const r = await execa('ps', ['-eo', 'args='], { reject: false });
  return r.stdout.split('\n').filter((l) => l.includes(`wireguard-go -f hxw${run}`) || l.includes(`sshd_config.hxw${run}`));
}

/** The first bytes a TCP server at address:port sends, read from inside `host`; '' when the
 * connection does not open within `seconds`. */
async function bannerFrom(host: TestHost, address: string, port: number, seconds = 3): Promise<string> {
  const r = await host.run(['timeout', String(seconds), 'bash', '-c', `exec 3<>/dev/tcp/${address}/${port} && head -c 7 <&3`]);
  return r.stdout;
}

/** A connection from here; true when it opens within `ms`. */
function connects(address: string, port: number, ms = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const timer = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, ms);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    s.connect(port, address);
  });
}

describe.skipIf(skip !== null)(`WireGuard test tunnels${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let tunnel: TestTunnel;

  beforeAll(async () => {
    set = await createTestHosts({ hosts: 2 });
    tunnel = await createTestTunnel(set);
  }, 90_000);
  afterAll(async () => {
    await tunnel?.destroy();
    await set?.destroy();
  }, 90_000);

  it('names every interface with the prefix and run id, within 15 characters, in a 10.214.N.0/24 of its own', async () => {
    expect(tunnel.run).toMatch(/^[a-z0-9]{5}$/);
    expect(tunnel.subnet).toMatch(/^10\.214\.\d{1,3}\.0\/24$/);
    const names = [tunnel.interfaceName, ...tunnel.peers.map((p) => p.interfaceName)];
    for (const n of names) {
      expect(n.startsWith(`hxw${tunnel.run}`)).toBe(true);
      expect(n.length).toBeLessThanOrEqual(15);
    }
    expect(await links()).toContain(tunnel.interfaceName);
    expect(await links(tunnel.peer(0).host.netns)).toContain(tunnel.peer(0).interfaceName);
    // The hosts' interfaces are not in this namespace, though their sockets are beside ours.
    expect(await links()).not.toContain(tunnel.peer(0).interfaceName);
    expect(await sockets()).toEqual(expect.arrayContaining(names.map((n) => `${n}.sock`)));
  });

  it('carries TCP from here to each host and from each host to here, and SSH to the tunnel address', async () => {
    for (const p of tunnel.peers) {
      expect(await connects(p.address, 22)).toBe(true);
      const ssh = await execa('ssh', [
        '-F', 'none', '-i', set.client.keys.default.path, '-o', `UserKnownHostsFile=${set.client.knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
        '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', `root@${p.address}`, 'echo', 'over-the-tunnel',
      ], { reject: false, timeout: 20_000 });
      expect(ssh.stderr).toBe('');
      expect(ssh.stdout).toBe('over-the-tunnel');
    }
    const seen: string[] = [];
    const server = createServer((s) => {
      s.on('error', () => undefined);
      seen.push(s.remoteAddress ?? '');
      s.end('SSH-2.0-here\r\n');
    });
    await new Promise<void>((r) => server.listen(0, tunnel.localAddress, () => r()));
    try {
      const port = (server.address() as AddressInfo).port;
      for (const p of tunnel.peers) expect(await bannerFrom(p.host, tunnel.localAddress, port)).toBe('SSH-2.0');
      expect(seen.sort()).toEqual(tunnel.peers.map((p) => p.address).sort());
    } finally {
      server.close();
    }
    const dump = await execa('wg', ['show', tunnel.interfaceName, 'latest-handshakes']);
    for (const line of dump.stdout.split('\n')) expect(Number(line.split('\t')[1])).toBeGreaterThan(0);
  });

  it('lets the hosts reach each other through this machine when forwarding is on', async () => {
    if (!tunnel.hostsReachEachOther) {
      expect(await bannerFrom(tunnel.peer(1).host, tunnel.peer(0).address, 22, 2)).toBe('');
      return;
    }
    expect(await bannerFrom(tunnel.peer(1).host, tunnel.peer(0).address, 22)).toBe('SSH-2.0');
  });

  it('carries nothing while the tunnel interface is down, and again once it is up', async () => {
    const p = tunnel.peer(0);
    await tunnel.down();
    try {
      expect(await connects(p.address, 22, 1500)).toBe(false);
      expect(await bannerFrom(p.host, tunnel.localAddress, 22, 2)).toBe('');
    } finally {
      await tunnel.up();
    }
    expect(await connects(p.address, 22, 5000)).toBe(true);
  });

  it('carries nothing while the host\'s link is cut, and again once it is restored', async () => {
    const p = tunnel.peer(0);
    await p.host.cutLink();
    try {
      expect(await connects(p.address, 22, 1500)).toBe(false);
    } finally {
      await p.host.restoreLink();
    }
    expect(await connects(p.address, 22, 5000)).toBe(true);
  });

  it('gives a host a small tmpfs install root that fills up there and is not here', async () => {
    const p = tunnel.peer(1);
    await tunnel.mountTmpfs(p, '/opt/harness', '1m');
    try {
      const full = await p.host.run(['sh', '-c', 'head -c 2000000 /dev/zero > /opt/harness/big']);
      expect(full.exitCode).not.toBe(0);
      expect(full.stderr).toMatch(/No space left on device/);
      expect((await p.host.run(['stat', '-f', '-c', '%T', '/opt/harness'])).stdout.trim()).toBe('tmpfs');
      expect(existsSync('/opt/harness/big')).toBe(false);
    } finally {
      await tunnel.unmountTmpfs(p, '/opt/harness');
    }
    expect((await p.host.run(['stat', '-f', '-c', '%T', '/opt/harness'])).stdout.trim()).not.toBe('tmpfs');
  });

  it('leaves no interface, socket, process, rule or directory once destroyed', async () => {
    const extra = await createTestTunnel(set, { hosts: [1] });
    const names = [extra.interfaceName, extra.peer(1).interfaceName];
    expect(await wgProcesses(extra.run)).toHaveLength(3);
    await extra.destroy();
    expect((await links()).filter((l) => names.includes(l))).toEqual([]);
    expect((await links(extra.peer(1).host.netns)).filter((l) => names.includes(l))).toEqual([]);
    expect((await sockets()).filter((s) => s.startsWith(`hxw${extra.run}`))).toEqual([]);
    expect(await wgProcesses(extra.run)).toEqual([]);
    expect(existsSync(extra.dir)).toBe(false);
    expect((await execa('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout).not.toContain(extra.subnet);
    // The first tunnel still carries, its forwarding rule in place.
    if (tunnel.hostsReachEachOther) expect((await execa('iptables', ['-w', '-S', 'FORWARD'])).stdout).toContain(`harness-test-wireguard:${tunnel.run}`);
    expect(await connects(tunnel.peer(0).address, 22)).toBe(true);
  }, 60_000);

  it('the sweeper removes a tunnel whose owner died, even one left by a SIGKILLed wireguard-go, and spares live ones', async () => {
    const owner = spawn('sleep', ['60'], { stdio: 'ignore' });
    const created = await execa('bash', [TEST_WIREGUARD_SCRIPT, 'create', '--hosts-run', set.run, '--host', '0', '--owner', String(owner.pid)]);
    const run = JSON.parse(created.stdout) as { run: string; dir: string; interface: string; wgPid: number; subnet: string };
    const iface = run.interface;
    await execa('bash', [TEST_WIREGUARD_SCRIPT, 'sweep']);
    expect(await links()).toContain(iface);
    // A crash: wireguard-go killed hard leaves its socket file behind.
    process.kill(run.wgPid, 'SIGKILL');
    owner.kill('SIGKILL');
    await new Promise((r) => owner.once('exit', r));
    const swept = await execa('bash', [TEST_WIREGUARD_SCRIPT, 'sweep']);
    expect(swept.stdout).toContain(run.run);
    expect((await links()).filter((l) => l.startsWith(`hxw${run.run}`))).toEqual([]);
    expect((await sockets()).filter((s) => s.startsWith(`hxw${run.run}`))).toEqual([]);
    expect(await wgProcesses(run.run)).toEqual([]);
    expect(existsSync(run.dir)).toBe(false);
    expect((await execa('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout).not.toContain(run.subnet);
    expect(await links()).toContain(tunnel.interfaceName);
  }, 60_000);
});
