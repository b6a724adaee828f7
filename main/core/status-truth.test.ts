// Status tells the truth: health belongs to a running instance, and a stop that waits on a
// service which ignores its signal says so, with when it will kill.
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, freePorts, type CoreHarness } from './test-support/core-harness.js';
import { listenAfter, service, tcpCheck } from './test-support/fixtures.js';

let core: CoreHarness | undefined;
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

describe('health belongs to the running instance', () => {
  it('is cleared when the service exits on its own', async () => {
    const [port] = await freePorts(1);
    // Healthy until the test tells it to exit.
    const script = `${listenAfter(port, 0)} process.on('SIGUSR2', () => process.exit(3));`;
    core = await createCore([service('redis', { script, ports: [port], health: tcpCheck(port, { interval_ms: 20 }) })]);
    await core.manager.start(['redis']);
    expect(core.manager.getServiceStatus('redis').health?.ok).toBe(true);
    process.kill(core.manager.getServiceStatus('redis').pid!, 'SIGUSR2');
    await core.waitFor(() => core!.manager.getServiceStatus('redis').status === 'exited', 10_000, 'the exit');
    // A few probe intervals later nothing has put it back.
    await new Promise((r) => setTimeout(r, 200));
    const s = core.manager.getServiceStatus('redis');
    expect(s.status).toBe('exited');
    expect(s.health).toBeUndefined();
    expect(s.exitCode).toBe(3);
  });

  it('is cleared when the service is stopped', async () => {
    const [port] = await freePorts(1);
    core = await createCore([service('web', { script: listenAfter(port, 0), ports: [port], health: tcpCheck(port) })]);
    await core.manager.start(['web']);
    expect(core.manager.getServiceStatus('web').health?.ok).toBe(true);
    await core.manager.stop(['web']);
    expect(core.manager.getServiceStatus('web').health).toBeUndefined();
    const stopping = core.statusEvents('web').find((e) => e.state.status === 'stopping');
    expect(stopping?.state.health).toBeUndefined();
  });
});

describe('a stop that waits', () => {
  it('says after a second that it is still waiting and when SIGKILL comes, then clears it', async () => {
    const script = "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);";
    core = await createCore([service('stubborn', { script, graceMs: 2500 })]);
    await core.manager.start(['stubborn']);
    await core.waitFor(() => core!.lines('stubborn').some((l) => l.line === 'up'), 10_000, 'the service to run');
    const t0 = Date.now();
    await core.manager.stop(['stubborn']);
    const waited = core.statusEvents('stubborn').find((e) => e.state.stopWait);
    expect(waited?.state.status).toBe('stopping');
    expect(waited?.state.stopWait?.signal).toBe('SIGTERM');
    expect(waited!.state.stopWait!.killAt - waited!.state.stopWait!.since).toBe(2500);
    expect(waited!.state.stopWait!.since).toBeGreaterThanOrEqual(t0 - 50);
    expect(core.lines('stubborn').some((l) => l.stream === 'system' && /still running 1 s after SIGTERM; SIGKILL in [12] s \(at \d\d:\d\d:\d\d\) if it has not exited/.test(l.line))).toBe(true);
    const last = core.manager.getServiceStatus('stubborn');
    expect(last.status).toBe('stopped');
    expect(last.stopWait).toBeUndefined();
    expect(last.signal).toBe('SIGKILL');
  });

  it('a quick stop says nothing about waiting', async () => {
    core = await createCore([service('quick', { graceMs: 5000 })]);
    await core.manager.start(['quick']);
    await core.manager.stop(['quick']);
    expect(core.statusEvents('quick').some((e) => e.state.stopWait)).toBe(false);
    expect(core.lines('quick').some((l) => /still running/.test(l.line))).toBe(false);
  });
});
