// An instance on another host reports whether it can be observed (RunningInstance.conditions):
// while its host does not answer the service is `unknown` with the reason, health verdicts of
// that time are kept for later, and it comes back to what health says once the host answers.
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../shared/config-types.js';
import type { HealthResult, RemoteEndpoint } from '../../shared/service-state.js';
import type { ExitInfo, InstanceCondition, RunningInstance, ServiceExecutor } from './executor.js';
import { createCore, type CoreHarness } from './test-support/core-harness.js';
import { service } from './test-support/fixtures.js';

class FakeRemote implements ServiceExecutor {
  readonly type = 'RemoteLan' as const;
  healthy = true;
  private listeners = new Set<(c: InstanceCondition) => void>();
  private endRun: ((e: ExitInfo) => void) | null = null;
  condition: InstanceCondition = { reachable: true, remote: endpoint('connected') };

  async start(): Promise<RunningInstance> {
    const exited = new Promise<ExitInfo>((r) => { this.endRun = r; });
    return {
      id: 'r1',
      exited,
      conditions: (fn) => {
        this.listeners.add(fn);
        fn(this.condition);
        return () => this.listeners.delete(fn);
      },
    };
  }

  set(c: InstanceCondition): void {
    this.condition = c;
    for (const fn of this.listeners) fn(c);
  }

  get subscribed(): number { return this.listeners.size; }

  async stop(): Promise<ExitInfo> {
    this.endRun?.({ code: null, signal: 'SIGTERM' });
    return { code: null, signal: 'SIGTERM' };
  }

  async healthCheck(): Promise<HealthResult> {
    return { ok: this.healthy, message: this.healthy ? 'ok' : 'refused', at: Date.now() };
  }

  async getLogs(): Promise<[]> { return []; }
}

function endpoint(connection: RemoteEndpoint['connection'], reason?: string): RemoteEndpoint {
  return { key: 'pi@lab:22', host: 'lab', port: 22, user: 'pi', connection, ...(reason ? { reason } : {}) };
}

function remote(name: string, deps: string[] = []): ServiceConfig {
  return service(name, {
    deps,
    target: { type: 'RemoteLan', host: 'lab', user: 'pi', binary: '/srv', args: [], env: {}, ssh_port: 22, ports: [] },
    health: { type: 'command', command: ['true'], interval_ms: 20, start_interval_ms: 20, timeout_ms: 500, retries: 1, start_period_ms: 0 },
  });
}

let core: CoreHarness | null = null;
afterEach(async () => {
  await core?.dispose();
  core = null;
});

describe('instance conditions', () => {
  it('marks the service unknown with the reason while its host is lost, and restores what health says after', async () => {
    const exec = new FakeRemote();
    core = await createCore([remote('edge')], exec);
    const c = core;
    await c.manager.start();
    expect(c.manager.getServiceStatus('edge')).toMatchObject({ status: 'healthy', remote: endpoint('connected') });

    exec.set({ reachable: false, reason: 'no answer to keepalives (host down or link cut)', remote: endpoint('lost', 'no answer to keepalives (host down or link cut)') });
    expect(c.manager.getServiceStatus('edge')).toMatchObject({
      status: 'unknown', error: 'no answer to keepalives (host down or link cut)', ready: false, remote: { connection: 'lost' },
    });
    // Health fails meanwhile: kept, not shown (the service stays unknown) …
    exec.healthy = false;
    await c.waitFor(() => c.events.some((e) => e.type === 'health' && !e.event.result.ok), 5000, 'a failing probe');
    await new Promise((r) => setTimeout(r, 100));
    expect(c.manager.getServiceStatus('edge').status).toBe('unknown');
    // … and what it said is where the service goes back to; then health moves it on.
    exec.set({ reachable: true, remote: endpoint('connected') });
    expect(c.manager.getServiceStatus('edge')).toMatchObject({ status: 'unhealthy', remote: { connection: 'connected' } });
    exec.healthy = true;
    await c.waitFor(() => c.manager.getServiceStatus('edge').status === 'healthy', 5000, 'healthy again');
    expect(c.lines('edge').map((l) => l.line)).toEqual(expect.arrayContaining([
      'status unknown: no answer to keepalives (host down or link cut)',
      'its host answers again',
    ]));
  });

  it('publishes connection changes that do not change the status, and forgets the host once stopped', async () => {
    const exec = new FakeRemote();
    core = await createCore([remote('edge')], exec);
    const c = core;
    await c.manager.start();
    exec.set({ reachable: true, remote: endpoint('connected', 'second connection') });
    expect(c.manager.getServiceStatus('edge').remote?.reason).toBe('second connection');
    await c.manager.stop(['edge']);
    expect(c.manager.getServiceStatus('edge')).toMatchObject({ status: 'stopped' });
    expect(c.manager.getServiceStatus('edge').remote).toBeUndefined();
    expect(exec.subscribed).toBe(0);
  });

  it('keeps a dependent waiting, not failed, while its dependency is unknown', async () => {
    const exec = new FakeRemote();
    core = await createCore([remote('db'), remote('app', ['db'])], exec);
    const c = core;
    c.network.registerResolver('lan', 'lan', { resolve: () => ({ address: '127.0.0.1', note: 'same host' }) });
    await c.manager.start(['db']);
    exec.set({ reachable: false, reason: 'link cut', remote: endpoint('lost', 'link cut') });
    let settled = false;
    const report = c.manager.start(['app']).finally(() => { settled = true; });
    await new Promise((r) => setTimeout(r, 200));
    expect(settled).toBe(false);
    expect(c.manager.getServiceStatus('app').status).toBe('stopped');
    exec.set({ reachable: true, remote: endpoint('connected') });
    expect((await report).ready).toEqual(expect.arrayContaining(['db', 'app']));
  });
});
