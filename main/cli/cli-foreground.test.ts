// Foreground `harness up`: merged, prefixed log stream; Ctrl-C stops in reverse dependency order;
// a second Ctrl-C forces. Through the built binary, with real processes.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceState } from '../../shared/service-state.js';
import { ensureBuilt, freePort, makeProject, survivors, type Project } from './test-support/cli-harness.js';

const projects: Project[] = [];
afterEach(async () => {
  for (const p of projects.splice(0)) await p.cleanup();
}, 120_000);

const listener = (port: number): string => `["-e", "require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening on ${port}'))"]`;

describe('harness up (foreground)', () => {
  beforeAll(() => ensureBuilt(), 200_000);

  it('prints prefixed logs and, on SIGINT, stops dependents before their dependencies, exit 0', async () => {
    const [dbPort, apiPort] = [await freePort(), await freePort()];
    const p = await makeProject(`
services:
  - name: db
    target: { type: Process, binary: node, args: ${listener(dbPort)}, ports: [${dbPort}] }
    health_check: { type: tcp, interval: 20ms }
  - name: api
    target: { type: Process, binary: node, args: ${listener(apiPort)}, ports: [${apiPort}] }
    dependencies: [db]
    health_check: { type: tcp, interval: 20ms }
  - name: web
    target: { type: Process, binary: node, args: ["-e", "console.log('web sees', process.env.API_ADDR + ':' + process.env.API_PORT); setInterval(() => {}, 1000)"] }
    dependencies: [api]
  - name: worker
    target: { type: Process, binary: node, args: ["-e", "console.error('worker on stderr'); setInterval(() => {}, 1000)"] }
    dependencies: [api]
`);
    projects.push(p);
    const up = p.start(['up']);
    await up.waitFor(/==> ready: .*/, 60_000);
    // Output lines may trail the readiness note by a few milliseconds.
    await up.waitFor(new RegExp(`^db +\\| listening on ${dbPort}$`, 'm'));
    await up.waitFor(new RegExp(`^web +\\| web sees 127\\.0\\.0\\.1:${apiPort}$`, 'm'));
    await up.waitFor(/^worker +! worker on stderr$/m); // stderr marked
    const out = up.output();
    expect(out.includes("\u001b[")).toBe(false); // not a TTY, NO_COLOR: no colour codes

    const ps = await p.run(['ps', '--json']);
    const pids = (JSON.parse(ps.stdout) as { services: ServiceState[] }).services.map((s) => s.pid as number);
    expect(pids.every((pid) => pid > 0)).toBe(true);

    up.child.kill('SIGINT');
    expect(await up.exited).toBe(0);
    const stopped = [...up.output().matchAll(/^==> (\w+): stopped/gm)].map((m) => m[1]);
    expect([...stopped].sort()).toEqual(['api', 'db', 'web', 'worker']);
    const at = (n: string): number => stopped.indexOf(n);
    expect(at('web')).toBeLessThan(at('api'));
    expect(at('worker')).toBeLessThan(at('api'));
    expect(at('api')).toBeLessThan(at('db'));
    expect(up.output()).toMatch(/==> all services stopped/);
    expect(survivors(pids)).toEqual([]);
  }, 120_000);

  it('a second SIGINT kills a service that ignores SIGTERM without waiting for its grace period', async () => {
    const p = await makeProject(`
services:
  - name: stubborn
    target: { type: Process, binary: sh, args: ["-c", "trap '' TERM; sleep 0.5; echo ready; while true; do sleep 0.2; done"] }
    health_check: { type: log, pattern: ready }
    stop_grace_period: 60s
`);
    projects.push(p);
    const up = p.start(['up']);
    await up.waitFor(/==> ready: stubborn/, 60_000);
    const ps = await p.run(['ps', '--json']);
    const pids = (JSON.parse(ps.stdout) as { services: ServiceState[] }).services.map((s) => s.pid as number);
    up.child.kill('SIGINT');
    await up.waitFor(/==> stubborn: stopping/);
    const t0 = Date.now();
    up.child.kill('SIGINT');
    expect(await up.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000); // far below the 60 s grace period
    expect(up.output()).toMatch(/forcing: killing/);
    expect(survivors(pids)).toEqual([]);
  }, 120_000);

  it('refuses to start a file with errors, naming file:line:col, exit 1', async () => {
    const p = await makeProject('services:\n  - name: a\n    target: { type: Process }\n');
    projects.push(p);
    const r = await p.run(['up']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^services\.yaml:3:13: error: services\[0\]\.target: missing required field "binary"/m);
  }, 60_000);
});
