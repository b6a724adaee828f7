// The supervisor SIGKILLed in the middle of a deploy over a real tunnel, through the built CLI:
// the release that served before keeps serving (current on the host, its process untouched), and
// the next `harness up -d` finishes the deploy; `harness rollback` from the command line then
// switches back and restarts it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeProject, type Project } from '../../cli/test-support/cli-harness.js';
import { supervisorOwner } from '../../supervisor/connect.js';
import { createTestHosts, type TestHost, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import { createTestTunnel, wireguardSkipReason, type TestTunnel } from '../../test-support/test-wireguard/test-wireguard.js';
import { waitUntil } from '../remote-lan/test-support/remote-stack.js';
import { bigPackage, serverPackage } from './test-support/packages.js';

const skip = await wireguardSkipReason();

const yaml = (pkg: string) => `
name: wgkill
services:
  - name: api
    target: { type: Wireguard, host: "\${PEER0}", user: root, package: "${pkg}", ports: [18092], env: { PORT: "18092" } }
    health_check: { type: http, url: "http://127.0.0.1:18092/", interval: 200ms, start_period: 15s }
    stop_grace_period: 2s
`;

describe.skipIf(skip !== null)(`Wireguard: the supervisor SIGKILLed mid-deploy${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let tunnel: TestTunnel;
  let h: TestHost;
  let peer: string;
  let p: Project;
  let pkgDir: string;

  const get = async () => (await fetch(`http://${peer}:18092/`, { signal: AbortSignal.timeout(3000) })).text();
  const current = async () => (await h.run(['readlink', '/opt/harness/api/current'])).stdout.trim().replace(/^releases\//, '');
  const killSupervisor = async () => {
    const owner = supervisorOwner(p.file, p.env);
    expect(owner).not.toBeNull();
    process.kill(owner!.pid, 'SIGKILL');
    await waitUntil('the supervisor gone', () => { try { process.kill(owner!.pid, 0); return false; } catch { return true; } });
  };

  beforeAll(async () => {
    ensureBuilt();
    set = await createTestHosts({ hosts: 1 });
    h = set.hosts[0];
    tunnel = await createTestTunnel(set);
    peer = tunnel.peer(0).address;
    pkgDir = await mkdtemp(join(tmpdir(), 'hx-wg-kill-'));
    p = await makeProject(yaml(await serverPackage(pkgDir, 'v1')), { HOME: set.client.home, SSH_AUTH_SOCK: '', PEER0: peer });
  }, 300_000);

  afterAll(async () => {
    await p?.cleanup();
    await tunnel?.destroy();
    await set?.destroy();
    if (pkgDir) await rm(pkgDir, { recursive: true, force: true });
  }, 120_000);

  it('keeps the previous release serving, and the next up finishes the deploy; rollback from the CLI', async () => {
    const up1 = await p.run(['up', '-d', '--accept-new-hosts'], 120_000);
    expect(up1.code, up1.stdout + up1.stderr).toBe(0);
    expect((await get()).startsWith('v1 ')).toBe(true);
    const v1 = await current();

    // The first supervisor dies; v1 keeps running on the host. The next one deploys v2 (big
    // enough to be caught in its transfer) and is killed in the middle of it.
    await killSupervisor();
    await writeFile(p.file, yaml(await bigPackage(pkgDir, 'v2', 48 * 1024 * 1024)));
    const up2 = p.start(['up', '-d', '--accept-new-hosts']);
    await waitUntil('part of v2 on the host', async () => {
      const r = await h.run(['sh', '-c', 'stat -c %s /opt/harness/api/incoming/*.part 2>/dev/null || echo 0']);
      return Number(r.stdout.trim().split('\n')[0]) > 4 * 1024 * 1024;
    }, 60_000);
    await killSupervisor();
    await up2.exited;
    expect(await current()).toBe(v1);
    expect((await get()).startsWith('v1 ')).toBe(true);

    const up3 = await p.run(['up', '-d', '--accept-new-hosts'], 180_000);
    expect(up3.code, up3.stdout + up3.stderr).toBe(0);
    expect(up3.stdout + up3.stderr).toMatch(/api: transfer \S+: sending api-v2\.tar\.gz \(48\.\d MB\)/);
    expect((await get()).startsWith('v2 ')).toBe(true);
    expect(await current()).not.toBe(v1);

    const rb = await p.run(['rollback', 'api', '--json'], 120_000);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(JSON.parse(rb.stdout)).toMatchObject({ service: 'api', to: v1, restarted: true });
    expect(await current()).toBe(v1);
    expect((await get()).startsWith('v1 ')).toBe(true);

    const down = await p.run(['down'], 90_000);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    await waitUntil('api stopped on the host', async () => (await get().catch(() => 'gone')) === 'gone', 15_000);
  }, 400_000);
});
