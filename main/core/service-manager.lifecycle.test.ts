// Restart policy with backoff, crash-loop failure, stop order, env injection and recovery wiring,
// on real processes.
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessExecutor } from '../executors/process/process-executor.js';
import { LogStore } from '../logs/log-store.js';
import { NetworkManager } from '../network/network-manager.js';
import { createCore, freePorts, pidAlive, type CoreHarness } from './test-support/core-harness.js';
import { listenAfter, project, service, tcpCheck } from './test-support/fixtures.js';
import { ServiceManager } from './service-manager.js';

let core: CoreHarness | null = null;
afterEach(async () => {
  await core?.dispose();
  core = null;
});

describe('restart policy', () => {
  it('restarts on failure with growing backoff, then fails with the crash-loop message', async () => {
    core = await createCore([
      service('flaky', { script: 'process.exit(3)', restart: { policy: 'on-failure', max_retries: 3, backoff_ms: 100, max_backoff_ms: 1000 } }),
    ]);
    const c = core;
    void c.manager.start();
    await c.waitFor(() => c.manager.getServiceStatus('flaky').status === 'failed', 20_000, 'flaky to fail');
    const st = c.manager.getServiceStatus('flaky');
    expect(st.error).toBe('crash loop: exited 4 times, last exit code 3');
    expect(st.restarts).toBe(3);
    expect(st.exitCode).toBe(3);
    // Gaps from each exit to the next start: the backoff doubling 100 → 200 → 400 ms.
    const ev = c.statusEvents('flaky');
    const exits = ev.filter((e) => e.state.status === 'exited').map((e) => e.state.updatedAt);
    const starts = ev.filter((e) => e.state.status === 'starting').map((e) => e.state.updatedAt);
    expect(starts).toHaveLength(4);
    expect(exits).toHaveLength(3);
    const gaps = exits.map((t, i) => starts[i + 1] - t);
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(395);
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
    expect(gaps[2]).toBeGreaterThan(gaps[1]);
    // No further start after the failure (not a hot loop).
    await new Promise((r) => setTimeout(r, 600));
    expect(c.statusEvents('flaky').filter((e) => e.state.status === 'starting')).toHaveLength(4);
    expect(c.lines('flaky').some((l) => l.stream === 'system' && l.line.includes('restarting in 200 ms (attempt 2 of 3)'))).toBe(true);
  });

  it('a start request waits through restarts and reports the final crash loop', async () => {
    core = await createCore([
      service('flaky', {
        script: 'process.exit(1)',
        health: tcpCheck(1, { interval_ms: 20, start_period_ms: 5000 }),
        restart: { policy: 'always', max_retries: 2, backoff_ms: 50, max_backoff_ms: 100 },
      }),
      service('api', { deps: ['flaky'] }),
    ]);
    const report = await core.manager.start();
    expect(report.ready).toEqual([]);
    expect(report.failed).toEqual([
      { service: 'flaky', reason: 'crash loop: exited 3 times, last exit code 1' },
      { service: 'api', reason: 'dependency flaky failed: crash loop: exited 3 times, last exit code 1' },
    ]);
    expect(core.first('api', 'starting')).toBeUndefined();
  });

  it('a stop cancels a pending restart', async () => {
    core = await createCore([
      service('flaky', { script: 'process.exit(2)', restart: { policy: 'on-failure', max_retries: 5, backoff_ms: 3000, max_backoff_ms: 3000 } }),
    ]);
    const c = core;
    void c.manager.start();
    await c.waitFor(() => c.manager.getServiceStatus('flaky').status === 'exited', 10_000, 'first exit');
    await c.manager.stopService('flaky');
    expect(c.manager.getServiceStatus('flaky').status).toBe('stopped');
    await new Promise((r) => setTimeout(r, 3300));
    expect(c.statusEvents('flaky').filter((e) => e.state.status === 'starting')).toHaveLength(1);
  });

  it('policy "no" records the exit and does not restart', async () => {
    core = await createCore([service('once', { script: 'console.log("bye"); process.exit(0)' })]);
    const c = core;
    await c.manager.start();
    await c.waitFor(() => c.manager.getServiceStatus('once').status === 'exited', 10_000, 'exit');
    expect(c.manager.getServiceStatus('once')).toMatchObject({ exitCode: 0, restarts: 0 });
    expect(c.manager.getServiceStatus('once').error).toBeUndefined();
    expect(c.lines('once').map((l) => l.line)).toContain('bye');
  });
});

describe('stop', () => {
  it('stops dependents before their dependencies, and everything on stop()', async () => {
    core = await createCore([
      service('db'),
      service('cache'),
      service('api', { deps: ['db', 'cache'] }),
      service('web', { deps: ['api'] }),
      service('worker', { deps: ['db'] }),
    ]);
    const report = await core.manager.start();
    expect(report.failed).toEqual([]);
    const pids = core.manager.states().map((s) => s.pid as number);
    expect(pids.every(pidAlive)).toBe(true);
    const before = core.events.length;
    const { stopped } = await core.manager.stop();
    expect(stopped.sort()).toEqual(['api', 'cache', 'db', 'web', 'worker']);
    const after = core.statusEvents().filter((e) => e.seq > (core?.events[before - 1] as { event: { seq: number } }).event.seq);
    const seq = (name: string, status: string) => after.find((e) => e.state.name === name && e.state.status === status)?.seq as number;
    for (const [dependent, dep] of [['web', 'api'], ['api', 'db'], ['api', 'cache'], ['worker', 'db']]) {
      expect(seq(dependent, 'stopped')).toBeLessThan(seq(dep, 'stopping'));
    }
    expect(core.manager.states().every((s) => s.status === 'stopped')).toBe(true);
    expect(pids.some(pidAlive)).toBe(false);
  });

  it('stopping one service stops its dependents first and leaves the rest running', async () => {
    core = await createCore([service('db'), service('api', { deps: ['db'] }), service('web', { deps: ['api'] }), service('other')]);
    await core.manager.start();
    const { stopped } = await core.manager.stop(['api']);
    expect(stopped).toEqual(['api', 'web']);
    const status = Object.fromEntries(core.manager.states().map((s) => [s.name, s.status]));
    expect(status).toEqual({ db: 'running', api: 'stopped', web: 'stopped', other: 'running' });
    expect(core.first('web', 'stopped')?.seq).toBeLessThan(core.first('api', 'stopping')?.seq as number);
  });

  it('a stop during a start cancels the waiting dependents', async () => {
    const [port] = await freePorts(1);
    core = await createCore([
      service('db', { ports: [port], script: listenAfter(port, 5000), health: tcpCheck(port) }),
      service('api', { deps: ['db'] }),
    ]);
    const started = core.manager.start();
    const c = core;
    await c.waitFor(() => c.manager.getServiceStatus('db').status === 'running', 10_000, 'db running');
    await c.manager.stop(['db']);
    const report = await started;
    expect(report.ready).toEqual([]);
    expect(report.failed.map((f) => f.service).sort()).toEqual(['api', 'db']);
    expect(c.first('api', 'starting')).toBeUndefined();
  });
});

describe('environment injection', () => {
  it('gives a dependent <DEP>_ADDR and <DEP>_PORT that reach the dependency', async () => {
    const [port] = await freePorts(1);
    core = await createCore([
      service('db-main', { ports: [port], script: listenAfter(port, 0), health: tcpCheck(port) }),
      service('cache'),
      service('api', {
        deps: ['db-main', 'cache'],
        env: { OWN: 'mine' },
        script: `console.log('env', process.env.DB_MAIN_ADDR, process.env.DB_MAIN_PORT, process.env.CACHE_ADDR, String(process.env.CACHE_PORT), process.env.OWN);
          require('net').connect(Number(process.env.DB_MAIN_PORT), process.env.DB_MAIN_ADDR).on('data', (d) => console.log('got', String(d).trim())); setInterval(() => {}, 1000);`,
      }),
    ]);
    const c = core;
    const report = await c.manager.start(['api']);
    expect(report.failed).toEqual([]);
    await c.waitFor(() => c.lines('api').some((l) => l.line === 'got hi'), 10_000, 'api to talk to db-main');
    expect(c.lines('api').map((l) => l.line)).toContain(`env 127.0.0.1 ${port} 127.0.0.1 undefined mine`);
    expect(c.manager.getServiceStatus('db-main')).toMatchObject({ address: '127.0.0.1', ports: [port] });
  });
});

describe('restart and reconfiguration', () => {
  it('restart() runs a new instance; setProject restarts a changed running service only', async () => {
    core = await createCore([service('a'), service('b', { deps: ['a'] }), service('idle')]);
    await core.manager.start(['b']);
    const pidA = core.manager.getServiceStatus('a').pid;
    const r = await core.manager.restart(['a']);
    expect(r).toEqual({ ready: ['a'], failed: [] });
    expect(core.manager.getServiceStatus('a').pid).not.toBe(pidA);
    expect(core.manager.getServiceStatus('b').status).toBe('running');

    const pidB = core.manager.getServiceStatus('b').pid as number;
    const next = project(
      [service('a'), service('b', { deps: ['a'], env: { NEW: '1' } }), service('idle', { env: { X: '1' } }), service('extra')],
      core.stateDir,
    );
    const change = await core.manager.setProject(next);
    expect(change).toMatchObject({ added: ['extra'], removed: [], changed: ['b', 'idle'], restarted: ['b'] });
    // The report covers the restarted service and its (already running) dependencies.
    expect(change.report).toEqual({ ready: ['a', 'b'], failed: [] });
    expect(pidAlive(pidB)).toBe(false);
    expect(core.manager.getServiceStatus('idle').status).toBe('stopped');
    expect(core.manager.getServiceStatus('extra').status).toBe('stopped');

    const removal = await core.manager.setProject(project([service('a')], core.stateDir));
    expect(removal.removed.sort()).toEqual(['b', 'extra', 'idle']);
    expect(core.manager.states().map((s) => s.name)).toEqual(['a']);
  });
});

describe('recover', () => {
  it('applies an executor recovery report: leftovers of a dead supervisor are logged as system lines', async () => {
    core = await createCore([service('api'), service('db')]);
    await core.manager.start();
    const pids = core.manager.states().map((s) => s.pid as number);
    // A second core on the same state dir, as after a SIGKILLed supervisor, with a fresh executor.
    const logs = new LogStore();
    const proj = project(core.manager.project.services, core.stateDir);
    const second = new ServiceManager({
      project: proj,
      executors: new Map([['Process', new ProcessExecutor()]]),
      network: new NetworkManager({ project: proj.name }),
      logs,
      stateDir: core.stateDir,
    });
    try {
      const result = await second.recover();
      expect(result.adopted).toEqual([]);
      expect(result.cleaned).toHaveLength(2);
      expect(pids.some(pidAlive)).toBe(false);
      const sys = logs.history('api').filter((l) => l.stream === 'system').map((l) => l.line);
      expect(sys.some((l) => l.startsWith('api: stopped leftover process group'))).toBe(true);
    } finally {
      await second.shutdown();
      await logs.close();
    }
  });
});
