// Dependency order, parallelism and health gating, observed on real processes.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusEvent } from '../../shared/events.js';
import { ProcessExecutor } from '../executors/process/process-executor.js';
import type { ServiceExecutor } from './executor.js';
import { createCore, freePorts, type CoreHarness } from './test-support/core-harness.js';
import { listenAfter, service, tcpCheck } from './test-support/fixtures.js';

let core: CoreHarness | null = null;
afterEach(async () => {
  await core?.dispose();
  core = null;
});

function seqOf(e: StatusEvent | undefined, what: string): number {
  if (!e) throw new Error(`no event: ${what}`);
  return e.seq;
}

describe('ServiceManager start order', () => {
  it('starts each dependent after its dependencies are healthy, and independent services in parallel', async () => {
    // Diamond a → (b, c) → d, plus an independent chain e → f.
    const [pa, pb, pc, pd, pe, pf] = await freePorts(6);
    const svc = (name: string, port: number, deps: string[], delay = 300) =>
      service(name, { deps, ports: [port], script: listenAfter(port, delay), health: tcpCheck(port, { interval_ms: 10 }) });
    core = await createCore([
      svc('a', pa, []),
      svc('b', pb, ['a']),
      svc('c', pc, ['a']),
      svc('d', pd, ['b', 'c']),
      svc('e', pe, []),
      svc('f', pf, ['e']),
    ]);
    const report = await core.manager.start();
    expect(report.failed).toEqual([]);
    expect([...report.ready].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);

    const c = core;
    const edges: Array<[string, string]> = [['b', 'a'], ['c', 'a'], ['d', 'b'], ['d', 'c'], ['f', 'e']];
    for (const [dependent, dep] of edges) {
      // The global sequence number totally orders status changes.
      expect(seqOf(c.first(dependent, 'starting'), `${dependent} starting`)).toBeGreaterThan(seqOf(c.first(dep, 'healthy'), `${dep} healthy`));
    }
    const ts = (name: string, status: 'starting' | 'healthy') => c.first(name, status)?.state.updatedAt as number;
    // Siblings b and c were alive at the same time; so were the independent roots a and e.
    expect(ts('b', 'starting')).toBeLessThan(ts('c', 'healthy'));
    expect(ts('c', 'starting')).toBeLessThan(ts('b', 'healthy'));
    expect(ts('a', 'starting')).toBeLessThan(ts('e', 'healthy'));
    expect(ts('e', 'starting')).toBeLessThan(ts('a', 'healthy'));
    // The diamond took less than running its four services one after another would (load on a
    // shared machine makes absolute times meaningless; this compares like with like).
    const dur = (n: string) => ts(n, 'healthy') - ts(n, 'starting');
    expect(ts('d', 'healthy') - ts('a', 'starting')).toBeLessThan(dur('a') + dur('b') + dur('c') + dur('d'));
    expect(core.manager.states().every((s) => s.status === 'healthy')).toBe(true);
  });

  it('starts a dependent the moment a log-line check matches', async () => {
    core = await createCore([
      service('db', { script: `setTimeout(() => console.log('db ready to accept connections'), 200); setInterval(() => {}, 1000);`,
        health: { type: 'log', pattern: 'ready to accept', stream: 'stdout', interval_ms: 100, timeout_ms: 1000, retries: 3, start_period_ms: 10_000 } }),
      service('api', { deps: ['db'] }),
    ]);
    const report = await core.manager.start(['api']);
    expect(report).toEqual({ ready: ['db', 'api'], failed: [] });
    expect(seqOf(core.first('api', 'starting'), 'api starting')).toBeGreaterThan(seqOf(core.first('db', 'healthy'), 'db healthy'));
    expect(core.manager.getServiceStatus('db').health?.message).toContain('ready to accept connections');
    // The published `ready` flag follows the gate: a checked service is not ready while merely
    // running; one without a check is ready as soon as it runs.
    expect(core.first('db', 'running')?.state.ready).toBe(false);
    expect(core.first('db', 'healthy')?.state.ready).toBe(true);
    expect(core.first('api', 'running')?.state.ready).toBe(true);
  });

  it('does not lose a log-line match that arrives before the executor finished starting', async () => {
    // The executor resolves its start 400 ms after the spawn (as one busy writing state files
    // might); the service prints its ready line at once.
    const real = new ProcessExecutor();
    const slow: ServiceExecutor = {
      type: 'Process',
      start: async (svc, ctx) => {
        const inst = await real.start(svc, ctx);
        await new Promise((r) => setTimeout(r, 400));
        return inst;
      },
      stop: (svc, inst, opts) => real.stop(svc, inst, opts),
      healthCheck: (svc, inst, check, signal) => real.healthCheck(svc, inst, check, signal),
      getLogs: () => real.getLogs(),
    };
    core = await createCore(
      [
        service('db', { script: `console.log('ready'); setInterval(() => {}, 1000);`,
          health: { type: 'log', pattern: '^ready$', stream: 'stdout', interval_ms: 100, timeout_ms: 1000, retries: 1, start_period_ms: 2000 } }),
        service('api', { deps: ['db'] }),
      ],
      slow,
    );
    const c = core;
    const report = await Promise.race([
      c.manager.start(),
      new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 8000)),
    ]);
    expect(report).toEqual({ ready: ['db', 'api'], failed: [] });
    expect(c.lines('db').some((l) => l.line === 'ready')).toBe(true);
  });

  it('starts only the requested service and its dependencies', async () => {
    core = await createCore([service('a'), service('b', { deps: ['a'] }), service('other')]);
    const report = await core.manager.startService('b');
    expect(report).toEqual({ ready: ['a', 'b'], failed: [] });
    expect(core.manager.getServiceStatus('other').status).toBe('stopped');
    expect(core.first('other', 'starting')).toBeUndefined();
  });

  it('never spawns a dependent of a dependency that never becomes healthy, and names it in the report', async () => {
    const [dead] = await freePorts(1);
    core = await createCore([
      service('db', { health: tcpCheck(dead, { interval_ms: 20, start_period_ms: 200, retries: 3, timeout_ms: 200 }) }),
      service('api', { deps: ['db'] }),
      service('web', { deps: ['api'] }),
      service('solo'),
    ]);
    const report = await core.manager.start();
    expect(report.ready).toEqual(['solo']);
    const byService = Object.fromEntries(report.failed.map((f) => [f.service, f.reason]));
    expect(byService.db).toMatch(/^never became healthy: .*3 failed checks after a 200 ms start period/);
    expect(byService.api).toMatch(/^dependency db failed: never became healthy/);
    expect(byService.web).toMatch(/^dependency api failed: dependency db failed/);
    expect(core.first('api', 'starting')).toBeUndefined();
    expect(core.first('web', 'starting')).toBeUndefined();
    const db = core.manager.getServiceStatus('db');
    expect(db.status).toBe('unhealthy');
    expect(db.error).toMatch(/never became healthy/);
    // Health events are sent on change only: one failing result, not one per probe.
    const health = core.events.filter((e) => e.type === 'health');
    expect(health).toHaveLength(1);
  });

  it('reports a service that cannot start as failed with the reason, and its dependents with it', async () => {
    core = await createCore([
      service('broken', { target: { type: 'Process', binary: '/nonexistent/bin/srv', args: [], env: {}, working_dir: '/', ports: [] } }),
      service('api', { deps: ['broken'] }),
    ]);
    const report = await core.manager.start();
    expect(report.ready).toEqual([]);
    expect(report.failed[0].service).toBe('broken');
    expect(report.failed[0].reason).toContain('/nonexistent/bin/srv');
    expect(report.failed[1]).toEqual({ service: 'api', reason: `dependency broken failed: ${report.failed[0].reason}` });
    const st = core.manager.getServiceStatus('broken');
    expect(st.status).toBe('failed');
    expect(core.lines('broken').some((l) => l.stream === 'system' && l.line.startsWith('failed to start:'))).toBe(true);
  });

  it('keeps a dependent stopped, with a "waiting for" line, while its dependency is unhealthy', async () => {
    // The dependency's health is a TCP port this test opens and closes itself.
    const [port] = await freePorts(1);
    const listen = () => new Promise<Server>((resolve) => {
      const srv = createServer((s) => s.destroy());
      srv.listen(port, '127.0.0.1', () => resolve(srv));
    });
    let srv = await listen();
    core = await createCore([
      service('db', { health: tcpCheck(port, { interval_ms: 20, start_period_ms: 0, retries: 2, timeout_ms: 200 }) }),
      service('api', { deps: ['db'] }),
    ]);
    const c = core;
    try {
      expect(await c.manager.start(['db'])).toEqual({ ready: ['db'], failed: [] });
      await new Promise((r) => srv.close(r));
      await c.waitFor(() => c.manager.getServiceStatus('db').status === 'unhealthy', 10_000, 'db unhealthy');
      expect(c.manager.getServiceStatus('db').error).toMatch(/^health check failing/);
      const pending = c.manager.start(['api']);
      await new Promise((r) => setTimeout(r, 200));
      expect(c.manager.getServiceStatus('api').status).toBe('stopped');
      expect(c.lines('api').map((l) => l.line)).toContainEqual(expect.stringMatching(/^waiting for db \(unhealthy: /));
      srv = await listen();
      expect(await pending).toEqual({ ready: ['db', 'api'], failed: [] });
      expect(c.first('api', 'starting')?.seq).toBeGreaterThan(c.statusEvents('db').filter((e) => e.state.status === 'healthy')[1].seq);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  it('rejects unknown service names with a NOT_FOUND error', async () => {
    core = await createCore([service('a')]);
    await expect(core.manager.start(['nope'])).rejects.toThrow(/unknown service "nope"/);
    await expect(core.manager.stopService('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await core.manager.stopService('a'); // never started: a no-op
    expect(core.statusEvents('a')).toHaveLength(0);
  });
});
