import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcessExecutor } from './process-executor.js';
import { bootId, listGroupMembers, readProcStat, type ProcStat } from '../../os/proc-stat.js';
import { captureContext, cmdline, makeWorld, processService, stillAlive, waitUntil, type World } from './test-support/fixtures.js';
import { cleanupLeftovers } from './process-leftovers.js';
import { processStatePath, readProcessState, writeProcessState } from '../../state/process-state.js';

let world: World;
const children: ChildProcess[] = [];
beforeEach(async () => {
  world = await makeWorld();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await world.dispose();
});

/** Bundles the fake supervisor (TypeScript) into one runnable .mjs file in the test's temp dir. */
async function bundleSupervisor(): Promise<string> {
  const outfile = join(world.dir, 'fake-supervisor.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./test-support/fake-supervisor.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    // execa's CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

function spawnSleep(seconds: number, detached = false): ChildProcess {
  const child = spawn('sleep', [String(seconds)], { stdio: 'ignore', detached });
  children.push(child);
  world.track(child.pid!);
  return child;
}

describe('cleanupLeftovers after the supervisor was SIGKILLed', () => {
  it('stops every process of the recorded trees, including children whose leader already exited', async () => {
    const script = await bundleSupervisor();
    const sup = spawn(process.execPath, [script, world.stateDir, world.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(sup);
    let stderr = '';
    sup.stderr!.on('data', (c) => (stderr += c));
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake supervisor did not report pids in 15 s; stderr: ${stderr}`)), 15_000);
      createInterface({ input: sup.stdout! }).once('line', (l) => {
        clearTimeout(timer);
        resolve(l);
      });
      sup.once('exit', (code) => reject(new Error(`fake supervisor exited ${code}: ${stderr}`)));
    });
    const pids = JSON.parse(line) as Record<string, number>;
    // Wait for the full trees: tree = sh + 2 sh + 2 sleeps, solo = sleep, leaver = sh + 2 sleeps.
    const tree = await waitUntil(() => {
      const m = listGroupMembers(pids.tree);
      return m.length === 5 ? m : undefined;
    }, 10_000, 'the tree to have 5 members');
    const lingering = await waitUntil(
      () => listGroupMembers(pids.leaver).find((m) => cmdline(m.pid) === 'sleep 1008'),
      10_000,
      "the leaver's child",
    );
    const all: ProcStat[] = [...tree, readProcStat(pids.solo)!, readProcStat(pids.leaver)!, lingering];
    world.track(...all.map((p) => p.pid));

    sup.kill('SIGKILL');
    await new Promise((r) => (sup.exitCode !== null || sup.signalCode !== null ? r(null) : sup.once('exit', r)));
    // The survivors outlive their supervisor…
    expect(stillAlive(all.map((p) => p.pid)).length).toBe(all.length);
    const recorded = (await readProcessState(world.stateDir)).entries;
    expect(Object.keys(recorded).sort()).toEqual(['leaver', 'solo', 'tree']);
    // …and the leaver's leader exits by itself, leaving its child behind in the group.
    await waitUntil(() => !stillAlive([pids.leaver]).length, 10_000, 'the leaver leader to exit');
    expect(stillAlive([lingering.pid])).toEqual([lingering.pid]);

    const t0 = Date.now();
    const report = await cleanupLeftovers(world.stateDir);
    const elapsed = Date.now() - t0;
    expect(stillAlive(all.map((p) => p.pid))).toEqual([]);
    expect(report.join('\n')).toMatch(new RegExp(`tree: stopped leftover process group ${pids.tree} .* with SIGKILL`));
    expect(report.join('\n')).toMatch(new RegExp(`solo: stopped leftover process group ${pids.solo} .* with SIGTERM`));
    expect(report.join('\n')).toContain(`leaver: stopped 1 leftover process(es) of group ${pids.leaver} whose leader ${pids.leaver} had exited`);
    // The SIGTERM-ignoring branch needed the 2 s grace and SIGKILL; entries were cleaned in parallel.
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(6000);
    expect((await readProcessState(world.stateDir)).entries).toEqual({});
  });
});

describe('cleanupLeftovers safety', () => {
  it('never signals a recycled pid (same pid, other start time) and drops its entry', async () => {
    const sleeper = spawnSleep(30, true);
    const st = await waitUntil(() => readProcStat(sleeper.pid!), 5000, 'sleep to start');
    await writeProcessState(world.stateDir, {
      api: { pid: st.pid, pgid: st.pid, startTime: st.startTime - 1, bootId: bootId(), binary: '/opt/api' },
    });
    const report = await cleanupLeftovers(world.stateDir, { graceMs: 200 });
    expect(report).toEqual([`api: pid ${st.pid} now belongs to another process (sleep); record dropped, nothing signalled`]);
    expect(stillAlive([st.pid])).toEqual([st.pid]);
    expect(sleeper.exitCode).toBeNull();
    expect(sleeper.signalCode).toBeNull();
    expect((await readProcessState(world.stateDir)).entries).toEqual({});
  });

  it('does not signal anything recorded during another boot', async () => {
    const sleeper = spawnSleep(30, true);
    const st = await waitUntil(() => readProcStat(sleeper.pid!), 5000, 'sleep to start');
    await writeProcessState(world.stateDir, {
      api: { pid: st.pid, pgid: st.pid, startTime: st.startTime, bootId: '00000000-0000-0000-0000-000000000000', binary: '/opt/api' },
    });
    const report = await cleanupLeftovers(world.stateDir, { graceMs: 200 });
    expect(report).toEqual([`api: dropped record of pid ${st.pid} from a previous boot`]);
    expect(stillAlive([st.pid])).toEqual([st.pid]);
  });

  it('reports a corrupt state file instead of failing, and keeps it aside', async () => {
    await writeFile(processStatePath(world.stateDir), '{"api": {"pid": 12');
    const report = await cleanupLeftovers(world.stateDir);
    expect(report).toHaveLength(1);
    expect(report[0]).toContain('is not valid JSON');
    const kept = report[0].match(/moved to (\S+)$/)![1];
    expect(await readFile(kept, 'utf8')).toBe('{"api": {"pid": 12');
  });
});

describe('ProcessExecutor and earlier records', () => {
  it('recover() leaves the services it runs itself alone and stops the ones a dead supervisor left', async () => {
    const ex = new ProcessExecutor();
    const ctx = captureContext(world);
    const mine = await ex.start(processService('mine', '/bin/sh', ['-c', 'echo ready; exec sleep 1009'], world), ctx);
    world.track(mine.pid!);
    await ctx.waitFor('stdout', 'ready');
    const orphan = spawnSleep(30, true);
    const st = await waitUntil(() => readProcStat(orphan.pid!), 5000, 'orphan to start');
    const state = (await readProcessState(world.stateDir)).entries;
    await writeProcessState(world.stateDir, { ...state, old: { pid: st.pid, pgid: st.pid, startTime: st.startTime, bootId: bootId(), binary: 'sleep' } });

    const project = { ...world.project, services: [processService('old', 'sleep', [], world, { stop_signal: 'SIGINT' })] };
    const report = await ex.recover(project, world.stateDir);
    expect(report.adopted.size).toBe(0);
    expect(report.cleaned).toHaveLength(1);
    expect(report.cleaned[0]).toMatch(new RegExp(`^old: stopped leftover process group ${st.pid} .* with SIGINT$`));
    expect(stillAlive([st.pid])).toEqual([]);
    const orphanSignal = orphan.signalCode ?? (await new Promise((r) => orphan.once('exit', (_c, sig) => r(sig))));
    expect(orphanSignal).toBe('SIGINT');
    expect(stillAlive([mine.pid!])).toEqual([mine.pid]);
    expect(Object.keys((await readProcessState(world.stateDir)).entries)).toEqual(['mine']);
    await ex.stop(processService('mine', '/bin/sh', [], world), mine, { signal: 'SIGTERM', graceMs: 1000 });
  });

  it('start() first stops a process a dead supervisor left for the same service', async () => {
    const orphan = spawnSleep(30, true);
    const st = await waitUntil(() => readProcStat(orphan.pid!), 5000, 'orphan to start');
    await writeProcessState(world.stateDir, { web: { pid: st.pid, pgid: st.pid, startTime: st.startTime, bootId: bootId(), binary: 'sleep' } });
    const ex = new ProcessExecutor();
    const ctx = captureContext(world);
    const inst = await ex.start(processService('web', '/bin/sh', ['-c', 'echo ready; exec sleep 1010'], world), ctx);
    world.track(inst.pid!);
    expect(stillAlive([st.pid])).toEqual([]);
    expect(ctx.output.system).toContain(`web: stopped leftover process group ${st.pid}`);
    await ex.flush(world.stateDir); // the record is written just behind the spawn
    expect((await readProcessState(world.stateDir)).entries.web.pid).toBe(inst.pid);
    await ex.stop(processService('web', '/bin/sh', [], world), inst, { signal: 'SIGTERM', graceMs: 1000 });
  });
});
