// The monitor's decision logic, driven by a scripted executor (the probes themselves are tested
// against real sockets in probes.test.ts; the manager tests run real processes end to end).
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../shared/config-types.js';
import type { LogLine } from '../../shared/events.js';
import type { HealthResult } from '../../shared/service-state.js';
import type { RunningInstance, ServiceExecutor } from './executor.js';
import { service } from './test-support/fixtures.js';
import { LogStore } from '../logs/log-store.js';
import { HealthMonitor, type HealthVerdict } from './health-monitor.js';

const instance: RunningInstance = { id: '1', exited: new Promise(() => {}) };
let monitor: HealthMonitor | null = null;
afterEach(() => monitor?.stop());

function scripted(answers: Array<boolean | 'hang'>): ServiceExecutor & { calls: number[] } {
  const calls: number[] = [];
  return {
    type: 'Process',
    calls,
    start: async () => instance,
    stop: async () => ({ code: 0, signal: null }),
    getLogs: async () => [],
    healthCheck: (_s, _i, _c, signal) => {
      calls.push(Date.now());
      const a = answers.length > 1 ? answers.shift() : answers[0];
      if (a === 'hang') return new Promise<HealthResult>(() => void signal);
      return Promise.resolve({ ok: a === true, message: a ? 'up' : 'refused', at: Date.now() });
    },
  };
}

function run(check: HealthCheck, executor: ServiceExecutor, logs?: LogStore) {
  const results: HealthResult[] = [];
  const verdicts: HealthVerdict[] = [];
  const store = logs ?? new LogStore();
  monitor = new HealthMonitor({
    service: service('svc', { health: check }),
    check,
    executor,
    onLogLine: (l: (line: LogLine) => void) => store.onLine(l),
    onResult: (r) => results.push(r),
    onVerdict: (v) => verdicts.push(v),
  });
  return { results, verdicts, monitor };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits (bounded) for a condition, so a slow machine only makes the test slower. */
async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await wait(10);
  }
}
const tcp = (t: Partial<HealthCheck> = {}): HealthCheck => ({ type: 'tcp', port: 1, interval_ms: 10, timeout_ms: 100, retries: 3, start_period_ms: 0, ...t }) as HealthCheck;

describe('HealthMonitor', () => {
  it('probes at once on attach, ignores failures during the start period, reports changes only', async () => {
    const ex = scripted([false, false, false, false, false, true]);
    const { results, verdicts, monitor: m } = run(tcp({ start_period_ms: 10_000 }), ex);
    m.attach(instance);
    // At once: the first probe ran inside attach(), before any timer could fire.
    expect(ex.calls).toHaveLength(1);
    await until(() => verdicts.length > 0);
    await wait(50);
    expect(verdicts).toEqual([{ status: 'healthy' }]);
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    expect(m.isHealthy).toBe(true);
  });

  it('turns unhealthy after `retries` consecutive failures once healthy, and healthy again', async () => {
    const ex = scripted([true, false, true, false, false, false, true]);
    const { verdicts } = run(tcp({ retries: 3 }), ex);
    monitor?.attach(instance);
    await until(() => verdicts.length >= 3);
    expect(verdicts).toEqual([
      { status: 'healthy' },
      { status: 'unhealthy', error: 'health check failing 3 times: refused' },
      { status: 'healthy' },
    ]);
  });

  it('declares never-healthy after the start period and retries', async () => {
    const ex = scripted([false]);
    const { verdicts, results } = run(tcp({ start_period_ms: 100, retries: 2 }), ex);
    monitor?.attach(instance);
    await until(() => verdicts.length >= 1);
    await wait(100);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ status: 'unhealthy', neverHealthy: true });
    expect(verdicts[0].error).toBe('never became healthy: refused (2 failed checks after a 100 ms start period)');
    expect(results).toHaveLength(1);
  });

  it('counts a probe that does not answer within timeout_ms as failed', async () => {
    const ex = scripted(['hang']);
    const { verdicts } = run(tcp({ timeout_ms: 50, retries: 1 }), ex);
    monitor?.attach(instance);
    await until(() => verdicts.length >= 1 && ex.calls.length >= 2);
    expect(verdicts[0]).toMatchObject({ status: 'unhealthy', error: 'never became healthy: no answer within 50 ms (1 failed checks after a 0 ms start period)' });
    expect(ex.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('log checks: ready on the first matching line of the right stream, even one printed before attach', async () => {
    const logs = new LogStore();
    const check: HealthCheck = { type: 'log', pattern: 'ready( now)?$', stream: 'stderr', interval_ms: 100, timeout_ms: 100, retries: 1, start_period_ms: 5000 };
    const { verdicts, results } = run(check, scripted([false]), logs);
    logs.append('svc', 'stdout', 'ready\n'); // wrong stream
    logs.append('other', 'stderr', 'ready\n'); // wrong service
    logs.append('svc', 'stderr', 'ready now\n');
    monitor?.attach(instance);
    await wait(10);
    expect(verdicts).toEqual([{ status: 'healthy' }]);
    expect(results[0]).toMatchObject({ ok: true, message: 'log line matched /ready( now)?$/: ready now' });
  });

  it('log checks: never-healthy after start period + retries × interval, healthy if the line comes later', async () => {
    const logs = new LogStore();
    const check: HealthCheck = { type: 'log', pattern: 'go', stream: 'any', interval_ms: 50, timeout_ms: 100, retries: 2, start_period_ms: 50 };
    const { verdicts } = run(check, scripted([false]), logs);
    monitor?.attach(instance);
    await wait(250);
    expect(verdicts).toEqual([{ status: 'unhealthy', neverHealthy: true, error: 'never became healthy: no line matched /go/ within 150 ms' }]);
    logs.append('svc', 'stdout', 'go\n');
    await wait(10);
    expect(verdicts.at(-1)).toEqual({ status: 'healthy' });
  });

  it('stops probing when stopped', async () => {
    const ex = scripted([false]);
    run(tcp(), ex);
    monitor?.attach(instance);
    await wait(50);
    monitor?.stop();
    const n = ex.calls.length;
    await wait(100);
    expect(ex.calls.length).toBe(n);
  });
});

describe('HealthMonitor start_interval', () => {
  const gaps = (calls: number[]): number[] => calls.slice(1).map((t, i) => t - calls[i]);

  it('probes every start_interval until the first success, then every interval', async () => {
    // 4 failures, then healthy for good: the fast phase ends at the first success.
    const ex = scripted([false, false, false, false, true]);
    const { verdicts } = run(tcp({ start_interval_ms: 10, interval_ms: 400, start_period_ms: 10_000 }), ex);
    monitor?.attach(instance);
    await until(() => ex.calls.length >= 6);
    expect(verdicts).toEqual([{ status: 'healthy' }]);
    const g = gaps(ex.calls);
    // Calls 1-5 are the starting phase (4 gaps of ~10 ms; generous bound for a loaded machine);
    // after the success the monitor waits `interval` (timers never fire early).
    expect(g.slice(0, 4).every((d) => d < 200)).toBe(true);
    expect(g.length).toBeGreaterThanOrEqual(5);
    for (const d of g.slice(4)) expect(d).toBeGreaterThanOrEqual(395);
  });

  it('falls back to interval once start_period is over without a success', async () => {
    const ex = scripted([false]);
    run(tcp({ start_interval_ms: 10, interval_ms: 300, start_period_ms: 150, retries: 100 }), ex);
    const attached = Date.now();
    monitor?.attach(instance);
    await until(() => ex.calls.filter((t) => t - attached >= 160).length >= 2);
    const inPeriod = ex.calls.filter((t) => t - attached < 150);
    // Several probes in the period (10 ms apart when the machine is idle, fewer when it is busy).
    expect(inPeriod.length).toBeGreaterThanOrEqual(2);
    const late = gaps(ex.calls.filter((t) => t - attached >= 160));
    expect(late.length).toBeGreaterThanOrEqual(1);
    for (const d of late) expect(d).toBeGreaterThanOrEqual(295);
  });

  it('defaults to min(25 ms, interval) when the check carries no start_interval', async () => {
    const slow = scripted([false]);
    run(tcp({ interval_ms: 1000, start_period_ms: 10_000 }), slow);
    monitor?.attach(instance);
    // ~25 ms apart: far more often than the 1 s interval would allow.
    await until(() => slow.calls.length >= 5, 900);
    monitor?.stop();
    expect(gaps(slow.calls).every((d) => d >= 24)).toBe(true);
  });
});

describe('HealthMonitor native health (no health_check: the executor reports the target\'s own)', () => {
  function native(behaviour: (onResult: (r: HealthResult) => void) => Promise<boolean>): ServiceExecutor {
    return { ...scripted([false]), watchNativeHealth: (_s, _i, onResult) => behaviour(onResult) };
  }
  function runNative(executor: ServiceExecutor) {
    const results: HealthResult[] = [];
    const verdicts: HealthVerdict[] = [];
    const none: number[] = [];
    monitor = new HealthMonitor({
      service: service('svc'),
      check: undefined,
      executor,
      onLogLine: () => () => undefined,
      onResult: (r) => results.push(r),
      onVerdict: (v) => verdicts.push(v),
      onNoNativeHealth: () => none.push(Date.now()),
    });
    monitor.attach(instance);
    return { results, verdicts, none };
  }
  const at = Date.now();

  it('turns each engine status into a verdict: unhealthy before healthy is never-healthy, with the engine message', async () => {
    const { verdicts, results, none } = runNative(native(async (onResult) => {
      onResult({ ok: false, message: 'image HEALTHCHECK: unhealthy', at });
      onResult({ ok: true, message: 'image HEALTHCHECK: healthy', at });
      onResult({ ok: true, message: 'image HEALTHCHECK: healthy', at });
      onResult({ ok: false, message: 'image HEALTHCHECK: unhealthy: disk full', at });
      return true;
    }));
    await wait(10);
    expect(verdicts).toEqual([
      { status: 'unhealthy', neverHealthy: true, error: 'never became healthy: image HEALTHCHECK: unhealthy' },
      { status: 'healthy' },
      { status: 'unhealthy', error: 'image HEALTHCHECK: unhealthy: disk full' },
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, true, false]);
    expect(none).toEqual([]);
  });

  it('reports "no native health" when the instance has none, and nothing else', async () => {
    const { verdicts, none } = runNative(native(async () => false));
    await wait(10);
    expect(none).toHaveLength(1);
    expect(verdicts).toEqual([]);
  });

  it('fails visibly (never-healthy) when the watch itself fails', async () => {
    const { verdicts } = runNative(native(async () => {
      throw new Error('engine gone');
    }));
    await wait(10);
    expect(verdicts).toEqual([
      { status: 'unhealthy', neverHealthy: true, error: "never became healthy: cannot follow the image's health status: engine gone" },
    ]);
  });
});
