// Faults around a Wireguard deploy over a real tunnel: the host's disk full (a small tmpfs as the
// install root: a clear error naming the space, the previous release current and serving), and
// every archive of the part-A corpus refused here, before anything is sent: nothing is written on
// the host, not even the service's directory, and nothing outside it; a host no tunnel reaches.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProject } from '../../config/parse-project.js';
import { createTestHosts, type TestHost, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import { createTestTunnel, wireguardSkipReason, type TestTunnel } from '../../test-support/test-wireguard/test-wireguard.js';
import { remoteStack, waitUntil, type RemoteStack } from '../remote-lan/test-support/remote-stack.js';
import { ArchiveDir } from './test-support/archives.js';
import { CORPUS } from './test-support/corpus.js';
import { bigPackage, serverPackage } from './test-support/packages.js';

const skip = await wireguardSkipReason();
const SMALL_ROOT = '/mnt/hx-small';

const yaml = (small: string, bad: string) => `
name: wgfaults
services:
  - name: small
    target: { type: Wireguard, host: "\${PEER0}", user: root, package: "${small}", install_root: ${SMALL_ROOT}, ports: [18091], env: { PORT: "18091" } }
    health_check: { type: http, url: "http://127.0.0.1:18091/", interval: 200ms, start_period: 15s }
    stop_grace_period: 2s
  - name: bad
    target: { type: Wireguard, host: "\${PEER0}", user: root, package: "${bad}" }
  - name: lost
    target: { type: Wireguard, host: 198.51.100.7, user: root, package: "${small}" }
`;

describe.skipIf(skip !== null)(`Wireguard deploy faults over a real tunnel${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let tunnel: TestTunnel;
  let h: TestHost;
  let peer: string;
  let stack: RemoteStack;
  let pkgDir: string;
  let archives: ArchiveDir;
  let v1: string;

  const url = () => `http://${peer}:18091/`;
  const get = async () => (await fetch(url(), { signal: AbortSignal.timeout(3000) })).text();
  const link = async (name: string) => (await h.run(['readlink', `${SMALL_ROOT}/small/${name}`])).stdout.trim().replace(/^releases\//, '');
  const use = async (small: string, bad: string) => {
    const loaded = parseProject(yaml(small, bad), stack.config.file, { PEER0: peer });
    if (!loaded.config) throw new Error(loaded.problems.map((p) => p.message).join('; '));
    return stack.runtime.setProject(loaded.config);
  };

  beforeAll(async () => {
    set = await createTestHosts({ hosts: 1 });
    h = set.hosts[0];
    tunnel = await createTestTunnel(set);
    peer = tunnel.peer(0).address;
    await tunnel.mountTmpfs(tunnel.peer(0), SMALL_ROOT, '3m');
    pkgDir = await mkdtemp(join(tmpdir(), 'hx-wg-faults-'));
    archives = await ArchiveDir.create();
    v1 = await serverPackage(pkgDir, 'v1');
    stack = await remoteStack(set, yaml(v1, v1), {
      env: { PEER0: peer },
      ssh: { keepaliveIntervalMs: 1000, keepaliveCountMax: 2, reconnect: { initialDelayMs: 100, maxDelayMs: 500 }, connectTimeoutMs: 3000 },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.dispose();
    if (tunnel) await tunnel.unmountTmpfs(tunnel.peer(0), SMALL_ROOT).catch(() => undefined);
    await tunnel?.destroy();
    await set?.destroy();
    if (pkgDir) await rm(pkgDir, { recursive: true, force: true });
    await archives?.dispose();
  }, 120_000);

  it('the host\'s disk full: a clear error with the space, the previous release current, intact and serving', async () => {
    const first = await stack.runtime.manager.start(['small']);
    expect(first.failed).toEqual([]);
    const before = await link('current');
    expect((await get()).startsWith('v1 ')).toBe(true);
    const listing = async () => (await h.run(['sh', '-c', `cd ${SMALL_ROOT}/small/releases/${before} && find . -type f | sort | xargs sha256sum`])).stdout;
    const files = await listing();

    await use(await bigPackage(pkgDir, 'v2', 6 * 1024 * 1024), v1);
    const report = await stack.runtime.manager.start(['small']);
    expect(report.failed.map((f) => f.service)).toEqual(['small']);
    expect(report.failed[0].reason).toMatch(/small: not enough space on root@\S+ for the release: \/mnt\/hx-small\/small has [\d.]+ [kM]B free, the package needs [\d.]+ MB.*nothing was switched\. Free space there or point install_root at a larger disk/);
    expect(await link('current')).toBe(before);
    expect(await listing()).toBe(files);
    await waitUntil('v1 serving', async () => (await get().catch(() => '')).startsWith('v1 '), 15_000);
    // Nothing half-written is left to fill the disk further.
    expect((await h.run(['sh', '-c', `ls -A ${SMALL_ROOT}/small/incoming; ls -d ${SMALL_ROOT}/small/releases/*.partial 2>/dev/null; true`])).stdout.trim()).toBe('');
  }, 120_000);

  it('every archive of the corpus is refused here, naming its member, with nothing written on the host or here', async () => {
    const small = await serverPackage(pkgDir, 'v1');
    for (const c of CORPUS) {
      const file = await archives.write(c.entries, { name: `${c.name.replace(/[^A-Za-z0-9-]+/g, '_')}.tar.gz` });
      await use(small, file);
      const report = await stack.runtime.manager.start(['bad']);
      expect(report.failed.map((f) => f.service), c.name).toEqual(['bad']);
      expect(report.failed[0].reason, c.name).toContain(`[rule ${c.rule}]`);
      expect(report.failed[0].reason, c.name).toContain(JSON.stringify(c.member));
    }
    // Checked before anything was sent: the service's directory was never even made.
    expect(await h.exists('/opt/harness/bad')).toBe(false);
    expect(await h.exists('/tmp/hx-pwned')).toBe(false);
    expect(existsSync('/tmp/hx-pwned')).toBe(false);
  }, 120_000);

  it('a service whose host no tunnel reaches fails with the detector\'s message, naming the host and the interfaces looked at', async () => {
    const report = await stack.runtime.manager.start(['lost']);
    expect(report.failed.map((f) => f.service)).toEqual(['lost']);
    expect(report.failed[0].reason).toMatch(/WireGuard host 198\.51\.100\.7: no WireGuard tunnel of this machine reaches it: looked at .*\S+ \(allowed-ips /);
    expect(report.failed[0].reason).toContain(tunnel.interfaceName);
  }, 60_000);
});
