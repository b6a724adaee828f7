// `harness up -d` / ps / logs / down through the built binary, with real processes.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceState } from '../../shared/service-state.js';
import { isAlive } from '../os/proc-stat.js';
import { ensureBuilt, freePort, makeProject, survivors, waitUntil, ROOT, type Project } from './test-support/cli-harness.js';

interface PsJson {
  supervisor: { pid: number } | null;
  services: ServiceState[];
  leftovers: Array<{ service: string; pids: number[] }>;
}

const projects: Project[] = [];
async function project(yaml: string, env: Record<string, string> = {}): Promise<Project> {
  const p = await makeProject(yaml, env);
  projects.push(p);
  return p;
}

function lockPid(p: Project): number {
  const stateRoot = p.env.HARNESS_STATE_DIR as string;
  const [dir] = readdirSync(stateRoot);
  return (JSON.parse(readFileSync(join(stateRoot, dir, 'supervisor.lock'), 'utf8')) as { pid: number }).pid;
}

async function ps(p: Project, file?: string): Promise<PsJson> {
  const r = await p.run(file ? ['ps', '--json', '-f', file] : ['ps', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PsJson;
}

describe('harness up -d, ps, logs, down', () => {
  beforeAll(() => ensureBuilt(), 200_000);
  afterEach(async () => {
    for (const p of projects.splice(0)) await p.cleanup();
  }, 120_000);

  it('runs the demo in the background until healthy; ps, logs, a refused second up, and down leave nothing', async () => {
    const ports = { DEMO_STORE_PORT: String(await freePort()), DEMO_API_PORT: String(await freePort()), DEMO_WEB_PORT: String(await freePort()) };
    const p = await project('services: []\n', ports);
    const demo = join(ROOT, 'examples', 'demo', 'services.yaml');

    const up = await p.run(['up', '-d', '-f', demo], 90_000);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch(/==> 4 service\(s\) ready/);

    const state = await ps(p, demo);
    expect(state.supervisor?.pid).toBeGreaterThan(0);
    expect(state.services.map((s) => [s.name, s.status])).toEqual([
      ['store', 'healthy'],
      ['api', 'healthy'],
      ['web', 'healthy'],
      ['worker', 'healthy'],
    ]);
    const pids = state.services.map((s) => s.pid as number);
    expect(pids.every((pid) => isAlive(pid))).toBe(true);

    // The web page really shows data that went web -> api -> store.
    const page = await fetch(`http://127.0.0.1:${ports.DEMO_WEB_PORT}/data`).then((r) => r.json() as Promise<{ greeting: string }>);
    expect(page.greeting).toBe('hello from the store');

    const logs = await p.run(['logs', '--file', demo]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(new RegExp(`store +\\| store listening on 127\\.0\\.0\\.1:${ports.DEMO_STORE_PORT}`));
    expect(logs.stdout).toMatch(/worker +\| worker ready/);
    const apiOnly = await p.run(['-f', demo, 'logs', '--tail', '5', 'api']);
    expect(apiOnly.stdout.trim().split('\n').every((l) => l.startsWith('api '))).toBe(true);

    const second = await p.run(['up', '-d', '-f', demo]);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`already supervised by pid ${state.supervisor?.pid} (harness up -d, started `);

    const down = await p.run(['down', '-f', demo], 60_000);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(survivors(pids)).toEqual([]);
    expect(isAlive(state.supervisor?.pid as number)).toBe(false);
    const after = await ps(p, demo);
    expect(after.supervisor).toBeNull();
    expect(after.services.every((s) => s.status === 'stopped')).toBe(true);
    // With no supervisor, logs come from the saved files.
    const saved = await p.run(['logs', '--file', demo, 'store']);
    expect(saved.stdout).toMatch(new RegExp(`^store +\\| store listening on 127\\.0\\.0\\.1:${ports.DEMO_STORE_PORT}$`, 'm'));
  }, 150_000);

  it('after the supervisor is SIGKILLed, ps reports leftovers and down removes every process', async () => {
    const port = await freePort();
    const p = await project(`
services:
  - name: db
    target:
      type: Process
      binary: node
      args: ["-e", "require('net').createServer().listen(${port}, '127.0.0.1')"]
      ports: [${port}]
    health_check: { type: tcp, interval: 20ms }
  - name: tree
    target: { type: Process, binary: sh, args: ["-c", "sleep 300 & sleep 300 & wait"] }
    dependencies: [db]
`);
    const up = await p.run(['up', '-d'], 60_000);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const state = await ps(p);
    const pids = state.services.map((s) => s.pid as number);
    const tree = survivors(pids);
    expect(tree.length).toBeGreaterThanOrEqual(4); // db, sh and its two sleeps

    const supervisor = lockPid(p);
    process.kill(supervisor, 'SIGKILL');
    await waitUntil('supervisor gone', () => !isAlive(supervisor));
    expect(survivors(pids).sort()).toEqual(tree.sort()); // the stack outlived its supervisor

    const orphaned = await ps(p);
    expect(orphaned.supervisor).toBeNull();
    expect(orphaned.leftovers.map((l) => l.service).sort()).toEqual(['db', 'tree']);
    const text = await p.run(['ps']);
    expect(text.stdout).toContain('leftover processes of a supervisor that is gone (`harness down` stops them)');

    const down = await p.run(['down'], 60_000);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(down.stdout).toMatch(/tree: stopped leftover process group/);
    expect(survivors(tree)).toEqual([]);
  }, 120_000);

  it('exits non-zero naming a service that never becomes healthy, and the dependent it blocked', async () => {
    const deadPort = await freePort();
    const p = await project(`
services:
  - name: fine
    target: { type: Process, binary: node, args: ["-e", "setInterval(() => {}, 1000)"] }
  - name: sick
    target: { type: Process, binary: node, args: ["-e", "setInterval(() => {}, 1000)"] }
    health_check: { type: tcp, port: ${deadPort}, interval: 50ms, timeout: 200ms, retries: 2, start_period: 300ms }
  - name: needs-sick
    target: { type: Process, binary: node, args: ["-e", "setInterval(() => {}, 1000)"] }
    dependencies: [sick]
`);
    const up = await p.run(['up', '-d', '--timeout', '60s'], 90_000);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(new RegExp(`harness: sick failed: .*${deadPort}`));
    expect(up.stderr).toMatch(/harness: needs-sick failed: .*sick/);
    expect(up.stderr).not.toMatch(/harness: fine failed/);
    const state = await ps(p);
    expect(state.services.find((s) => s.name === 'fine')?.status).toBe('running');
  }, 120_000);
});
