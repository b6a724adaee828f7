// A package deployed over a real WireGuard tunnel (wireguard-go) to an SSH test host: it connects
// back to a process and a container here with nothing but its injected addresses, its files are
// on the host under /opt/harness/<service>/ and not here; a changed package becomes a new release
// (the old one kept), a release whose start.sh fails is rolled back with the old one serving,
// `harness rollback` switches back, and the tunnel cut in the middle of a transfer leaves the
// previous release current and serving, with a retry that succeeds.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../shared/events.js';
import { parseProject } from '../../config/parse-project.js';
import { dockerSkipReason, ensureTestImages, BUSYBOX_IMAGE } from '../docker/test-support/test-images.js';
import { freePort } from '../../test-support/ports.js';
import { createTestHosts, type TestHost, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import { createTestTunnel, wireguardSkipReason, type TestTunnel } from '../../test-support/test-wireguard/test-wireguard.js';
import { remoteStack, waitUntil, type RemoteStack } from '../remote-lan/test-support/remote-stack.js';
import { bigPackage, failingPackage, serverPackage } from './test-support/packages.js';

const skip = (await wireguardSkipReason()) ?? (await dockerSkipReason());

const yaml = (pkg: string, ports: { p: number; c: number }) => `
name: wgdeploy
services:
  - name: p
    target: { type: Process, binary: node, args: [-e, "require('http').createServer((q, s) => s.end('I am p')).listen(${ports.p}, '0.0.0.0')"], ports: [${ports.p}] }
    health_check: { type: tcp, interval: 100ms }
  - name: c
    target: { type: Docker, image: ${BUSYBOX_IMAGE}, command: [httpd, -f, -p, "80", -h, /www], ports: ["127.0.0.1:${ports.c}:80"] }
    health_check: { type: tcp, port: 80, interval: 100ms }
  - name: api
    target: { type: Wireguard, host: "\${PEER0}", user: root, package: "${pkg}", ports: [18090], env: { DEPS: "P,C" } }
    dependencies: [p, c]
    health_check: { type: http, url: "http://127.0.0.1:18090/", interval: 200ms, start_period: 15s }
    stop_grace_period: 3s
`;

async function get(url: string): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return r.text();
}

describe.skipIf(skip !== null)(`Wireguard packages over a real tunnel${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let tunnel: TestTunnel;
  let h: TestHost;
  let peer: string;
  let stack: RemoteStack;
  let pkgDir: string;
  let ports: { p: number; c: number };
  const progress: ProgressEvent[] = [];

  const url = () => `http://${peer}:18090/`;
  const link = async (name: string) => (await h.run(['readlink', `/opt/harness/api/${name}`])).stdout.trim().replace(/^releases\//, '');
  const releases = async () => (await h.run(['ls', '/opt/harness/api/releases'])).stdout.split('\n').filter((l) => /^\d{8}T\d{6}Z-[0-9a-f]{12}$/.test(l));
  /** Swaps the package of `api` (a config change: a running api is restarted, its release
   * handed over to the deploy) and starts it when it was not running. */
  const usePackage = async (pkg: string) => {
    const loaded = parseProject(yaml(pkg, ports), stack.config.file, { PEER0: peer });
    if (!loaded.config) throw new Error(loaded.problems.map((p) => p.message).join('; '));
    const change = await stack.runtime.setProject(loaded.config);
    return change.restarted.includes('api') ? change.report : stack.runtime.manager.start(['api']);
  };

  beforeAll(async () => {
    await ensureTestImages();
    set = await createTestHosts({ hosts: 1 });
    h = set.hosts[0];
    tunnel = await createTestTunnel(set);
    peer = tunnel.peer(0).address;
    pkgDir = await mkdtemp(join(tmpdir(), 'hx-wg-pkgs-'));
    ports = { p: await freePort(), c: await freePort() };
    stack = await remoteStack(set, yaml(await serverPackage(pkgDir, 'v1'), ports), {
      env: { PEER0: peer },
      ssh: { keepaliveIntervalMs: 1000, keepaliveCountMax: 2, reconnect: { initialDelayMs: 100, maxDelayMs: 500 }, connectTimeoutMs: 3000 },
    });
    stack.runtime.manager.on((e) => { if (e.type === 'progress') progress.push(e.event); });
  }, 180_000);

  afterAll(async () => {
    await tunnel?.up().catch(() => undefined);
    await stack?.dispose();
    await tunnel?.destroy();
    await set?.destroy();
    if (pkgDir) await rm(pkgDir, { recursive: true, force: true });
  }, 120_000);

  it('deploys over the tunnel; the package reaches a process and a container here with its injected addresses only', async () => {
    const report = await stack.runtime.manager.start();
    expect(report.failed).toEqual([]);
    // The body: `<version> <what each dependency answered, as JSON> <release id>`.
    const parse = (body: string) => {
      const m = /^(\S+) (\{.*\}) (\d{8}T\d{6}Z-[0-9a-f]{12})$/.exec(body);
      return m ? { version: m[1], deps: JSON.parse(m[2]) as Record<string, string>, release: m[3] } : null;
    };
    let seen = '';
    await waitUntil('api to have fetched both dependencies', async () => Object.keys(parse((seen = await get(url()).catch((e: Error) => e.message)))?.deps ?? {}).length === 2, 20_000)
      .catch((err: Error) => { throw new Error(`${err.message}; api said: ${seen}; its stdout: ${stack.lines('api', 'stdout').join(' | ')}`); });
    expect(parse(seen)).toMatchObject({ version: 'v1', deps: { P: 'I am p', C: 'hello from harness-test' } });
    await waitUntil('the log lines of api', () => stack.lines('api', 'stdout').filter((l) => l.startsWith('using ')).length === 2, 10_000);
    const out = stack.lines('api', 'stdout');
    // A peer reaches this machine at its tunnel address: the process directly, the container at
    // a port published on the tunnel address.
    expect(out).toContain(`using P ${tunnel.localAddress}:${ports.p}`);
    expect(out.find((l) => l.startsWith('using C '))).toMatch(new RegExp(`^using C ${tunnel.localAddress.replace(/\./g, '\\.')}:\\d+$`));
    const state = stack.state('api');
    expect(state.status).toBe('healthy');
    expect(stack.runtime.network.location('api')).toEqual({ kind: 'wireguard', host: peer, via: tunnel.interfaceName });
    const topo = stack.runtime.network.topology();
    expect(topo.edges.find((e) => e.from === 'api' && e.to === 'c')?.tunnel).toMatchObject({ kind: 'publish', via: tunnel.interfaceName, state: 'active' });
    expect(topo.wireguard?.interfaces.map((i) => i.name)).toContain(tunnel.interfaceName);
  }, 120_000);

  it('keeps its files on the host under /opt/harness/api/, none here; the env file is 0600', async () => {
    const [id] = await releases();
    expect(await link('current')).toBe(id);
    expect(await h.exists(`/opt/harness/api/releases/${id}/start.sh`)).toBe(true);
    expect(await h.mode('/opt/harness/api/data')).toBe('700');
    expect(existsSync(`/opt/harness/api/releases/${id}`)).toBe(false);
    const envFile = (await h.run(['sh', '-c', 'ls -d /root/.local/state/harness/*/api/env'])).stdout.trim();
    expect(await h.mode(envFile)).toBe('600');
    const env = (await h.readFile(envFile)).toString();
    expect(env).toContain(`export HARNESS_RELEASE_ID=${id}\n`);
    expect(env).toContain(`export P_ADDR=${tunnel.localAddress}\n`);
    // Every step was reported, the transfer in bytes.
    const tasks = progress.filter((p) => p.service === 'api');
    expect(tasks.some((p) => p.task === 'transfer' && p.done && p.current === p.total && (p.total ?? 0) > 0)).toBe(true);
    for (const m of [/^checked api v1/, /^verifying the sha256/, /^unpacking/, /^switching to/, /^starting/, /^waiting for .* healthy/, /is current and healthy/]) {
      expect(tasks.some((p) => p.task === 'deploy' && m.test(p.message)), String(m)).toBe(true);
    }
  });

  it('redeploys a changed package as a new release, keeping the old one as previous', async () => {
    const [v1] = await releases();
    await usePackage(await serverPackage(pkgDir, 'v2'));
    await stack.waitStatus('api', 'healthy', 60_000);
    expect((await get(url())).startsWith('v2 ')).toBe(true);
    const all = await releases();
    expect(all).toHaveLength(2);
    expect(await link('previous')).toBe(v1);
    expect(await link('current')).toBe(all.find((r) => r !== v1));
  }, 90_000);

  it('rolls back a release whose start.sh fails: the old one current again and serving', async () => {
    const before = await link('current');
    const report = await usePackage(await failingPackage(pkgDir, 'v3'));
    expect(report.failed.map((f) => f.service)).toEqual(['api']);
    expect(report.failed[0].reason).toMatch(/the deploy of release \S+ failed: start\.sh exited with code 3.*rolled back: \S+ is current again and was started/);
    expect(await link('current')).toBe(before);
    await waitUntil('v2 serving again', async () => (await get(url()).catch(() => '')).startsWith('v2 '), 15_000);
    expect(await releases()).toHaveLength(3);
    expect(stack.lines('api', 'stderr').some((l) => l.includes('start.sh of v3 refuses to start'))).toBe(true);
  }, 90_000);

  it('harness rollback switches to the previous release and restarts it', async () => {
    await usePackage(await serverPackage(pkgDir, 'v2'));
    await stack.waitStatus('api', 'healthy', 60_000);
    const v2 = await link('current');
    const v1 = await link('previous');
    const r = await stack.runtime.rollback('api');
    expect(r).toEqual({ service: 'api', from: v2, to: v1, restarted: true });
    expect(await link('current')).toBe(v1);
    expect(await link('previous')).toBe(v2);
    expect((await get(url())).startsWith('v1 ')).toBe(true);
    // Pinned: a restart with the same configured package keeps the release rolled back to.
    await stack.runtime.manager.restart(['api']);
    expect((await get(url())).startsWith('v1 ')).toBe(true);
  }, 90_000);

  it('an unchanged redeploy sends nothing: the release with the same sha256 is used again', async () => {
    const before = await link('current');
    const count = (await releases()).length;
    const seen = progress.length;
    const report = await stack.runtime.manager.restart(['api']);
    expect(report.failed).toEqual([]);
    const mine = progress.slice(seen).filter((p) => p.service === 'api');
    expect(mine.some((p) => p.task === 'transfer')).toBe(false);
    expect(mine.some((p) => p.task === 'deploy' && /nothing to send|pinned by `harness rollback`/.test(p.message))).toBe(true);
    expect(await link('current')).toBe(before);
    expect(await releases()).toHaveLength(count);
  }, 60_000);

  it('the tunnel cut mid-transfer: a clear error, the previous release current and serving, and a retry that succeeds', async () => {
    const before = await link('current');
    const pkg = await bigPackage(pkgDir, 'v4', 48 * 1024 * 1024);
    const seen = progress.length;
    const change = usePackage(pkg);
    await waitUntil('a few MB sent', () => progress.slice(seen).some((p) => p.task === 'transfer' && (p.current ?? 0) > 4 * 1024 * 1024 && !p.done), 60_000);
    await tunnel.down();
    const result = await change;
    await tunnel.up();
    expect(result.failed.map((f) => f.service)).toEqual(['api']);
    expect(result.failed[0].reason).toMatch(/the transfer to root@\S+ stopped after [\d.]+ MB of 48\.\d MB: .*nothing was switched/);
    // The release handed over by the restart still serves, and the error says so.
    expect(result.failed[0].reason).toMatch(new RegExp(`\\(release ${before} still runs on root@\\S+ and serves; Start retries the deploy`));
    await waitUntil('the host to answer again', async () => (await get(url()).catch(() => '')).length > 0, 30_000);
    expect(await link('current')).toBe(before);
    expect((await get(url())).startsWith('v1 ')).toBe(true);
    const retry = await stack.runtime.manager.start(['api']);
    expect(retry.failed).toEqual([]);
    expect((await get(url())).startsWith('v4 ')).toBe(true);
    expect(await link('previous')).toBe(before);
  }, 180_000);

  it('a deploy cancelled mid-transfer (Ctrl-C, a stop): nothing switched, the previous release current and still serving', async () => {
    const before = await link('current');
    const serving = (await get(url())).split(' ')[0];
    const seen = progress.length;
    const change = usePackage(await bigPackage(pkgDir, 'v5', 48 * 1024 * 1024));
    await waitUntil('a few MB sent', () => progress.slice(seen).some((p) => p.task === 'transfer' && (p.current ?? 0) > 4 * 1024 * 1024 && !p.done), 60_000);
    await stack.runtime.manager.stop(['api']);
    const result = await change;
    expect(result.ready).not.toContain('api');
    const errors = progress.slice(seen).filter((p) => p.service === 'api' && p.error).map((p) => p.error);
    expect(errors).toEqual([expect.stringMatching(/^api: the transfer to root@\S+ was cancelled after [\d.]+ MB of 48\.\d MB; nothing was switched \(release \S+ still runs on root@\S+ and serves; .*\)$/)]);
    expect(await link('current')).toBe(before);
    expect((await get(url())).split(' ')[0]).toBe(serving);
  }, 120_000);
});
