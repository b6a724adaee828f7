// A declared port that another program holds fails the start at once, naming that program; and
// a port answers for a service only while the service's own process runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../test-support/ports.js';
import { ProcessExecutor } from './process-executor.js';
import { captureContext, makeWorld, processService, waitUntil, type World } from './test-support/fixtures.js';
import { probeTcp } from '../../health/probes.js';

let world: World;
const others: ChildProcess[] = [];
beforeEach(async () => {
  world = await makeWorld();
});
afterEach(async () => {
  for (const c of others.splice(0)) c.kill('SIGKILL');
  await world.dispose();
});

/** Another program listening on `port` (a separate process, so it has its own pid and command line). */
async function squatter(port: number, host = '0.0.0.0'): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer(() => {}).listen(${port}, '${host}', () => console.log('up'))`, 'squatter-marker'], { stdio: ['ignore', 'pipe', 'inherit'] });
  others.push(child);
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return child;
}

describe('declared ports', () => {
  it('a port held by another program fails the start at once, naming its pid and command', async () => {
    const port = await freePort();
    const holder = await squatter(port);
    const ex = new ProcessExecutor();
    const svc = processService('redis', 'sleep', ['30'], world, {});
    svc.target = { ...svc.target, ports: [port] } as typeof svc.target;
    const ctx = captureContext(world);
    const err = await ex.start(svc, ctx).then(() => null, (e: Error) => e);
    expect(err?.message).toContain(`redis: cannot start: port ${port} on 0.0.0.0 is held by pid ${holder.pid}`);
    expect(err?.message).toContain('squatter-marker');
    expect(err?.message).toContain(world.project.file);
    // Nothing was spawned.
    expect(ctx.output.system).not.toMatch(/started pid/);
  });

  it('a loopback-only holder counts as taken too', async () => {
    const port = await freePort();
    const holder = await squatter(port, '127.0.0.1');
    const svc = processService('api', 'sleep', ['30'], world);
    svc.target = { ...svc.target, ports: [port] } as typeof svc.target;
    await expect(new ProcessExecutor().start(svc, captureContext(world))).rejects.toThrow(`port ${port} on 127.0.0.1 is held by pid ${holder.pid}`);
  });

  it('a tcp check fails once the service died, although another program answers on the port', async () => {
    const port = await freePort();
    const ex = new ProcessExecutor();
    const svc = processService('short', 'sleep', ['30'], world);
    svc.target = { ...svc.target, ports: [port] } as typeof svc.target;
    const instance = await ex.start(svc, captureContext(world));
    await squatter(port); // the port is free (the service never listened): someone else takes it
    const check = { type: 'tcp' as const, port, interval_ms: 100, timeout_ms: 500, retries: 1, start_period_ms: 0 };
    // While the service runs, the port answers (whoever holds it)…
    expect((await ex.healthCheck(svc, instance, check, new AbortController().signal)).ok).toBe(true);
    process.kill(instance.pid!, 'SIGKILL'); // it dies on its own, as far as Harness knows
    await instance.exited;
    // …and the same probe straight to the port still succeeds: only the instance check says no.
    expect((await probeTcp('127.0.0.1', port, 500, new AbortController().signal)).ok).toBe(true);
    const after = await ex.healthCheck(svc, instance, check, new AbortController().signal);
    expect(after.ok).toBe(false);
    expect(after.message).toMatch(/not running/);
  });

  it('a free declared port starts normally', async () => {
    const port = await freePort();
    const ex = new ProcessExecutor();
    const svc = processService('ok', 'sleep', ['5'], world);
    svc.target = { ...svc.target, ports: [port] } as typeof svc.target;
    const ctx = captureContext(world);
    const inst = await ex.start(svc, ctx);
    world.track(inst.pid!);
    await waitUntil(() => ctx.output.system.includes('started pid'), 5000, 'the start line');
    await ex.stop(svc, inst, { signal: 'SIGTERM', graceMs: 500 });
  });
});
