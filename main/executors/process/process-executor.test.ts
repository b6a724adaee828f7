import { readdirSync } from 'node:fs';
import { chmod, mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../../../shared/errors.js';
import { processStatePath } from '../../state/process-state.js';
import { listGroupMembers, readProcStat } from '../../os/proc-stat.js';
import { ProcessExecutor } from './process-executor.js';
import { captureContext, cmdline, makeWorld, processService, stillAlive, waitForGroup, waitUntil, type World } from './test-support/fixtures.js';

let world: World;
beforeEach(async () => {
  world = await makeWorld();
});
afterEach(async () => {
  await world.dispose();
});

async function stateEntries(): Promise<Record<string, { pid: number; pgid: number; startTime: number; bootId: string; binary: string }>> {
  try {
    return JSON.parse(await readFile(processStatePath(world.stateDir), 'utf8'));
  } catch {
    return {};
  }
}

/** Live children of this test process (the executor's spawns are its direct children). */
function liveChildren(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readProcStat(Number(name));
    if (st && st.ppid === process.pid && st.state !== 'Z') pids.push(st.pid);
  }
  return pids;
}

describe('ProcessExecutor start and exit', () => {
  it('records the exit code and keeps stdout and stderr apart', async () => {
    const ex = new ProcessExecutor();
    const ctx = captureContext(world);
    const svc = processService('api', '/bin/sh', ['-c', 'echo out; echo err >&2; exit 3'], world);
    const inst = await ex.start(svc, ctx);
    world.track(inst.pid!);
    expect(inst.id).toBe(String(inst.pid));
    expect(await inst.exited).toEqual({ code: 3, signal: null });
    expect(ctx.output.stdout).toBe('out\n');
    expect(ctx.output.stderr).toBe('err\n');
    expect(ctx.output.system).toContain(`started pid ${inst.pid}: /bin/sh -c 'echo out; echo err >&2; exit 3'`);
    expect(await stateEntries()).toEqual({});
  });

  it('records the signal name when the process dies of a signal', async () => {
    const ex = new ProcessExecutor();
    const svc = processService('sig', process.execPath, ['-e', "process.kill(process.pid, 'SIGUSR2')"], world);
    const inst = await ex.start(svc, captureContext(world));
    world.track(inst.pid!);
    expect(await inst.exited).toEqual({ code: null, signal: 'SIGUSR2' });
  });

  it('runs in working_dir with process env < injected env < service env', async () => {
    const ex = new ProcessExecutor();
    const ctx = captureContext(world, { B: 'injected', C: 'injected' });
    const svc = processService('envy', '/bin/sh', ['-c', 'echo "$A|$B|$C|${PATH:+path}|$(pwd)"'], world);
    if (svc.target.type === 'Process') svc.target.env = { A: 'own', B: 'own' };
    const inst = await ex.start(svc, ctx);
    world.track(inst.pid!);
    await inst.exited;
    expect(ctx.output.stdout.trim()).toBe(`own|own|injected|path|${await realpath(world.dir)}`);
  });

  it('puts the service in its own process group and records it in processes.json while it runs', async () => {
    const ex = new ProcessExecutor();
    const svc = processService('rec', '/bin/sh', ['-c', 'echo ready; exec sleep 1000'], world);
    const ctx = captureContext(world);
    const inst = await ex.start(svc, ctx);
    world.track(inst.pid!);
    await ctx.waitFor('stdout', 'ready');
    const st = readProcStat(inst.pid!)!;
    expect(st.pgid).toBe(inst.pid);
    await ex.flush(world.stateDir);
    expect(st.pgid).not.toBe(readProcStat(process.pid)!.pgid);
    const entries = await stateEntries();
    expect(entries.rec).toMatchObject({ pid: inst.pid, pgid: inst.pid, startTime: st.startTime, binary: '/bin/sh' });
    expect(entries.rec.bootId).toMatch(/^[0-9a-f-]{36}$/);
    const info = await ex.stop(svc, inst, { signal: 'SIGTERM', graceMs: 2000 });
    expect(info).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await stateEntries()).toEqual({});
  });

  it('stops with the requested signal', async () => {
    const ex = new ProcessExecutor();
    const script = "process.on('SIGINT', () => { console.log('got INT'); process.exit(7); }); setInterval(() => {}, 1000); console.log('ready');";
    const svc = processService('int', process.execPath, ['-e', script], world, { stop_signal: 'SIGINT' });
    const ctx = captureContext(world);
    const inst = await ex.start(svc, ctx);
    world.track(inst.pid!);
    await ctx.waitFor('stdout', 'ready');
    expect(await ex.stop(svc, inst, { signal: 'INT', graceMs: 5000 })).toEqual({ code: 7, signal: null });
    expect(ctx.output.stdout).toContain('got INT');
  });
});

describe('ProcessExecutor state record written behind the spawn', () => {
  it('writes the record within a bounded time without being flushed', async () => {
    const ex = new ProcessExecutor();
    const svc = processService('bg', '/bin/sh', ['-c', 'exec sleep 1000'], world);
    const inst = await ex.start(svc, captureContext(world));
    world.track(inst.pid!);
    // No flushState here: the write must happen on its own, promptly.
    const deadline = Date.now() + 5000;
    let entries = await stateEntries();
    while (!entries.bg && Date.now() < deadline) {
      await sleep(5);
      entries = await stateEntries();
    }
    expect(entries.bg).toMatchObject({ pid: inst.pid, pgid: inst.pid });
    await ex.stop(svc, inst, { signal: 'SIGTERM', graceMs: 1000 });
  });

  it('kills the process and reports why when its record cannot be written', async () => {
    // processes.json is a directory: the read is reported as a problem, the rename fails (EISDIR).
    await mkdir(processStatePath(world.stateDir));
    const ex = new ProcessExecutor();
    const svc = processService('unrecorded', '/bin/sh', ['-c', 'echo ready; exec sleep 1000'], world);
    const ctx = captureContext(world);
    const inst = await ex.start(svc, ctx);
    world.track(inst.pid!);
    const exit = await inst.exited;
    expect(exit.signal).toBe('SIGKILL');
    expect(exit.error).toContain(`unrecorded: cannot record the process in ${processStatePath(world.stateDir)}`);
    expect(ctx.output.system).toContain('a supervisor killed now would leave it behind');
    expect(stillAlive([inst.pid!])).toEqual([]);
    expect(listGroupMembers(inst.pid!)).toEqual([]);
  });
});

describe('ProcessExecutor stop of a process tree', () => {
  it('kills children, grandchildren and a SIGTERM-ignoring child, the latter only after the grace period', async () => {
    const ex = new ProcessExecutor();
    // leader sh → child sh → grandchild `sleep 1001`; leader sh → TERM-ignoring sh → `sleep 1002`
    // (ignored signals are inherited, so the grandchild ignores TERM too).
    const script = [
      "sh -c 'sleep 1001 & wait' &",
      "sh -c 'trap \"\" TERM; sleep 1002 & wait' &",
      'echo ready',
      'wait',
    ].join('\n');
    const svc = processService('tree', '/bin/sh', ['-c', script], world);
    const ctx = captureContext(world);
    const inst = await ex.start(svc, ctx);
    world.track(inst.pid!);
    await ctx.waitFor('stdout', 'ready');
    const members = await waitForGroup(inst.pid!, 5);
    const pids = members.map((m) => m.pid);
    world.track(...pids);
    const grandchild = members.find((m) => cmdline(m.pid) === 'sleep 1001')!;
    const ignorer = members.find((m) => cmdline(m.pid) === 'sleep 1002')!;
    expect(grandchild.ppid).not.toBe(inst.pid); // really a grandchild
    expect(ignorer).toBeDefined();

    const graceMs = 1200;
    const t0 = Date.now();
    // Sample /proc while the stop runs: when was each process last seen alive?
    const lastSeen = new Map<number, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const pid of stillAlive(pids)) lastSeen.set(pid, Date.now() - t0);
        await sleep(10);
      }
    })();
    const info = await ex.stop(svc, inst, { signal: 'SIGTERM', graceMs });
    const elapsed = Date.now() - t0;
    sampling = false;
    await sampler;

    expect(info).toEqual({ code: null, signal: 'SIGTERM' });
    expect(stillAlive(pids)).toEqual([]);
    expect(listGroupMembers(inst.pid!)).toEqual([]);
    // The ignorer survived SIGTERM, so the stop had to wait out the grace period and SIGKILL it.
    expect(elapsed).toBeGreaterThanOrEqual(graceMs);
    expect(lastSeen.get(ignorer.pid) ?? 0).toBeGreaterThanOrEqual(graceMs / 2);
    // The cooperative grandchild died on SIGTERM, well before the grace period ended.
    expect(lastSeen.get(grandchild.pid) ?? 0).toBeLessThan(graceMs / 2);
  });

  it('kills what the leader left in its group when the leader exits by itself', async () => {
    const ex = new ProcessExecutor({ orphanGraceMs: 300 });
    const script = "sleep 1003 & sh -c 'trap \"\" TERM; exec sleep 1004' & echo started; sleep 1; exit 4";
    const svc = processService('leaver', '/bin/sh', ['-c', script], world);
    const ctx = captureContext(world);
    const inst = await ex.start(svc, ctx);
    world.track(inst.pid!);
    await ctx.waitFor('stdout', 'started');
    const children = await waitUntil(() => {
      const found = listGroupMembers(inst.pid!).filter((m) => ['sleep 1003', 'sleep 1004'].includes(cmdline(m.pid)));
      return found.length === 2 ? found.map((m) => m.pid) : undefined;
    }, 10_000, 'both lingering children');
    world.track(...children);
    expect(children.map(cmdline).sort()).toEqual(['sleep 1003', 'sleep 1004']);
    expect(await inst.exited).toEqual({ code: 4, signal: null });
    expect(stillAlive(children)).toEqual([]);
    expect(ctx.output.system).toContain(`pid ${inst.pid} exited; stopping the processes it left in group ${inst.pid}`);
    expect(await stateEntries()).toEqual({});
  });

  it('treats a second stop and a stop after exit as harmless', async () => {
    const ex = new ProcessExecutor();
    const svc = processService('twice', '/bin/sh', ['-c', 'echo ready; exec sleep 1000'], world);
    const ctx = captureContext(world);
    const inst = await ex.start(svc, ctx);
    world.track(inst.pid!);
    await ctx.waitFor('stdout', 'ready');
    const [a, b] = await Promise.all([
      ex.stop(svc, inst, { signal: 'SIGTERM', graceMs: 2000 }),
      ex.stop(svc, inst, { signal: 'SIGTERM', graceMs: 2000 }),
    ]);
    expect(a).toEqual({ code: null, signal: 'SIGTERM' });
    expect(b).toEqual(a);
    expect(await ex.stop(svc, inst, { signal: 'SIGKILL', graceMs: 0 })).toEqual(a);

    const quick = await ex.start(processService('quick', '/bin/sh', ['-c', 'exit 0'], world), ctx);
    expect(await quick.exited).toEqual({ code: 0, signal: null });
    expect(await ex.stop(svc, quick, { signal: 'SIGTERM', graceMs: 100 })).toEqual({ code: 0, signal: null });
  });
});

describe('ProcessExecutor start errors', () => {
  async function expectStartError(svcArgs: Parameters<typeof processService>, code: string, parts: string[]): Promise<void> {
    const ex = new ProcessExecutor();
    const before = liveChildren();
    const err = await ex.start(processService(...svcArgs), captureContext(world)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe(code);
    for (const p of parts) expect((err as HarnessError).message).toContain(p);
    expect(liveChildren()).toEqual(before);
    expect(await stateEntries()).toEqual({});
  }

  it('rejects a missing binary path with NOT_FOUND naming service, path and file', async () => {
    const missing = join(world.dir, 'bin', 'nope');
    await expectStartError(['api', missing, [], world], 'NOT_FOUND', [
      `api: binary not found: ${missing} (resolved from ${world.project.file})`,
    ]);
  });

  it('rejects a bare binary name that is not on PATH', async () => {
    await expectStartError(['api', 'harness-no-such-binary-xyz', [], world], 'NOT_FOUND', ['api:', 'harness-no-such-binary-xyz', 'not found on PATH']);
  });

  it('rejects a missing working_dir with NOT_FOUND naming it', async () => {
    const svc = processService('web', '/bin/sh', ['-c', 'true'], world);
    const bad = join(world.dir, 'missing-dir');
    if (svc.target.type === 'Process') svc.target.working_dir = bad;
    const ex = new ProcessExecutor();
    await expect(ex.start(svc, captureContext(world))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `web: working_dir not found: ${bad} (resolved from ${world.project.file})`,
    });
    expect(await stateEntries()).toEqual({});
  });

  it('rejects a file that is not executable with BAD_REQUEST', async () => {
    const file = join(world.dir, 'script.sh');
    await writeFile(file, '#!/bin/sh\necho hi\n');
    await chmod(file, 0o644);
    await expectStartError(['api', file, [], world], 'BAD_REQUEST', ['api: binary is not executable', file]);
  });

  it('rejects a directory given as the binary with BAD_REQUEST', async () => {
    const dir = join(world.dir, 'a-dir');
    await mkdir(dir);
    await expectStartError(['api', dir, [], world], 'BAD_REQUEST', [`api: binary is a directory: ${dir}`]);
  });

  it('rejects a working_dir that is a file, naming the field', async () => {
    const svc = processService('web', '/bin/sh', ['-c', 'true'], world);
    const file = join(world.dir, 'plain-file');
    await writeFile(file, 'x');
    if (svc.target.type === 'Process') svc.target.working_dir = file;
    await expect(new ProcessExecutor().start(svc, captureContext(world))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: `web: working_dir is not a directory: ${file} (resolved from ${world.project.file})`,
    });
  });

  it('rejects an unknown stop signal before spawning', async () => {
    await expectStartError(['api', '/bin/sh', ['-c', 'sleep 5'], world, { stop_signal: 'SIGNOPE' }], 'BAD_REQUEST', ['api', 'SIGNOPE']);
  });
});

describe('ProcessExecutor health_check and logs', () => {
  it('runs command checks with the service cwd and env, and tcp checks on 127.0.0.1 by default', async () => {
    const ex = new ProcessExecutor();
    const svc = processService('hc', '/bin/sh', ['-c', 'echo ready; exec sleep 1000'], world);
    if (svc.target.type === 'Process') svc.target.env = { X: 'yes' };
    const ctx = captureContext(world, { Y: 'injected' });
    const inst = await ex.start(svc, ctx);
    world.track(inst.pid!);
    await ctx.waitFor('stdout', 'ready');
    const timing = { interval_ms: 100, timeout_ms: 5000, retries: 1, start_period_ms: 0 };
    const signal = new AbortController().signal;
    const ok = await ex.healthCheck(svc, inst, { type: 'command', command: ['sh', '-c', 'test "$X$Y" = yesinjected && pwd'], ...timing }, signal);
    expect(ok.ok).toBe(true);
    expect(ok.message).toContain(await realpath(world.dir));
    const bad = await ex.healthCheck(svc, inst, { type: 'command', command: ['sh', '-c', 'echo nope; exit 2'], ...timing }, signal);
    expect(bad).toMatchObject({ ok: false });
    expect(bad.message).toContain('exit code 2: nope');
    // Port 1 on 127.0.0.1 is closed on any sane test machine (privileged, never listened on here).
    const tcp = await ex.healthCheck(svc, inst, { type: 'tcp', port: 1, ...timing }, signal);
    expect(tcp.ok).toBe(false);
    expect(tcp.message).toContain('127.0.0.1:1');
    expect(await ex.getLogs()).toEqual([]);
    await ex.stop(svc, inst, { signal: 'SIGTERM', graceMs: 1000 });
  });
});
