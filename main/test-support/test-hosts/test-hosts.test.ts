// The test hosts themselves: private directories really are elsewhere, names and ranges are
// per run, hosts reach each other, and teardown and the sweeper leave nothing behind.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHosts, TEST_HOSTS_SCRIPT, testHostsSkipReason, type TestHostSet } from './test-hosts.js';

const skip = await testHostsSkipReason();

async function netnsList(): Promise<string[]> {
  return (await execa('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
}
async function linkNames(): Promise<string[]> {
  return (await execa('ip', ['-o', 'link', 'show'])).stdout.split('\n').map((l) => l.split(': ')[1]?.split('@')[0]).filter(Boolean);
}
async function forwardRules(): Promise<string> {
  return (await execa('iptables', ['-w', '-S', 'FORWARD'], { reject: false })).stdout;
}

describe.skipIf(skip !== null)(`test hosts in network namespaces${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;

  beforeAll(async () => { set = await createTestHosts({ hosts: 2, port2: 2222 }); }, 60_000);
  afterAll(async () => { await set?.destroy(); }, 60_000);

  it('names everything with the prefix and the run id, within the 15-character interface limit, in a 10.213.N.0/24 of its own', async () => {
    expect(set.run).toMatch(/^[a-z0-9]{5}$/);
    expect(set.subnet).toMatch(/^10\.213\.\d{1,3}\.0\/24$/);
    expect(set.localAddress).toBe(set.subnet.replace(/0\/24$/, '1'));
    const names = [set.bridge, ...set.hosts.flatMap((h) => [h.veth, h.netns])];
    for (const n of names) {
      expect(n.startsWith(`hxt${set.run}`)).toBe(true);
      expect(n.length).toBeLessThanOrEqual(15);
    }
    expect(await netnsList()).toEqual(expect.arrayContaining(set.hosts.map((h) => h.netns)));
    expect(set.hosts.map((h) => h.address)).toEqual([set.subnet.replace(/0\/24$/, '10'), set.subnet.replace(/0\/24$/, '11')]);
  });

  it('gives each host its own /opt, /root, /tmp and /etc/ssh: what is written there is not here, nor on the other host', async () => {
    const [a, b] = set.hosts;
    const name = `hx-private-${set.run}`;
    for (const dir of ['/opt', '/root', '/tmp']) {
      const r = await a.run(['sh', '-c', `echo remote > ${dir}/${name}`]);
      expect(r.exitCode).toBe(0);
      expect((await a.readFile(`${dir}/${name}`)).toString()).toBe('remote\n');
      expect(existsSync(`${dir}/${name}`)).toBe(false);
      expect(await b.exists(`${dir}/${name}`)).toBe(false);
    }
    // And this machine's own files there are not on the host.
    expect((await a.run(['ls', '-A', '/opt'])).stdout).toBe(`${name}\n`);
    expect((await a.readFile('/etc/ssh/ssh_host_ed25519_key.pub')).toString()).toContain(a.key('ssh-ed25519').text);
    expect(a.key('ssh-ed25519').text).not.toBe(b.key('ssh-ed25519').text);
  });

  it('runs sshd on port 22 and the second port, on the host address only', async () => {
    const r = await set.hosts[0].run(['sh', '-c', 'ss -Hltn']);
    const listening = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[3]).filter(Boolean).sort();
    expect(listening).toEqual([`${set.hosts[0].address}:22`, `${set.hosts[0].address}:2222`]);
  });

  it('joins the hosts on one LAN: each reaches the other and this machine', async () => {
    const [a, b] = set.hosts;
    const banner = await b.run(['bash', '-c', `exec 3<>/dev/tcp/${a.address}/22; timeout 5 head -c 7 <&3`]);
    expect(banner.stdout).toBe('SSH-2.0');
    const toLocal = await a.run(['ip', 'route', 'get', set.localAddress]);
    expect(toLocal.stdout).toContain(`dev hxt${set.run}p0`);
  });

  it('cuts and restores a link, and restarts sshd with the same host key', async () => {
    const a = set.hosts[0];
    await a.cutLink();
    const down = await execa('ip', ['-o', 'link', 'show', a.veth]);
    expect(down.stdout).toMatch(/state DOWN/);
    await a.restoreLink();
    await a.stopSshd();
    expect((await execa('ip', ['netns', 'pids', a.netns])).stdout.split('\n').filter(Boolean).length).toBeGreaterThan(0);
    await a.startSshd();
    const scanned = await execa('ssh-keyscan', ['-t', 'ed25519', a.address], { reject: false, timeout: 10_000 });
    expect(scanned.stdout).toContain(a.key('ssh-ed25519').text.split(' ')[1]);
  });

  it('creates two runs at once without a collision and destroys one completely', async () => {
    const [x, y] = await Promise.all([createTestHosts({ hosts: 1 }), createTestHosts({ hosts: 1 })]);
    try {
      expect(x.run).not.toBe(y.run);
      expect(x.subnet).not.toBe(y.subnet);
      expect(x.subnet).not.toBe(set.subnet);
    } finally {
      await y.destroy();
    }
    const names = [y.bridge, y.hosts[0].veth];
    expect(await netnsList()).not.toContain(y.hosts[0].netns);
    expect((await linkNames()).filter((n) => names.includes(n))).toEqual([]);
    expect(existsSync(y.dir)).toBe(false);
    expect(existsSync(y.client.home)).toBe(false);
    await x.destroy();
    // The surviving run is untouched.
    expect(await netnsList()).toEqual(expect.arrayContaining(set.hosts.map((h) => h.netns)));
  }, 60_000);

  it('the sweeper removes a run whose owner died, with its namespaces, links, rule and directory, and spares live runs', async () => {
    const owner = spawn('sleep', ['60'], { stdio: 'ignore' });
    const created = await execa('bash', [TEST_HOSTS_SCRIPT, 'create', '--hosts', '2', '--owner', String(owner.pid)]);
    const run = JSON.parse(created.stdout) as { run: string; dir: string; hosts: Array<{ netns: string }> };
    expect(await forwardRules()).toContain(`harness-test-hosts:${run.run}`);
    await execa('bash', [TEST_HOSTS_SCRIPT, 'sweep']);
    expect(await netnsList()).toContain(run.hosts[0].netns);
    owner.kill('SIGKILL');
    await new Promise((r) => owner.once('exit', r));
    const swept = await execa('bash', [TEST_HOSTS_SCRIPT, 'sweep']);
    expect(swept.stdout).toContain(run.run);
    expect((await netnsList()).filter((n) => n.startsWith(`hxt${run.run}`))).toEqual([]);
    expect((await linkNames()).filter((n) => n.startsWith(`hxt${run.run}`))).toEqual([]);
    expect(await forwardRules()).not.toContain(`harness-test-hosts:${run.run}`);
    expect(existsSync(run.dir)).toBe(false);
    // No sshd of that run survives.
    const ps = await execa('sh', ['-c', 'ps -eo args'], { reject: false });
    expect(ps.stdout).not.toContain(`/tmp/harness-test-hosts/${run.run}`);
    // This file's own run is live and untouched.
    expect(await netnsList()).toEqual(expect.arrayContaining(set.hosts.map((h) => h.netns)));
    expect(await readFile(`${set.dir}/run.json`, 'utf8')).toContain(set.run);
  }, 60_000);
});
