// A supervisor SIGKILLed in the middle of a start-up burst leaves nothing behind: every child is
// in the spawn journal before start() returns, and carries environment markers that find it even
// when no file mentions it. 50 kill moments spread over a burst of 20 spawns; `down`'s cleanup
// (the executor's cleanup, as `harness down` runs it with no supervisor) must leave 0 processes.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootId, readProcStat } from '../../os/proc-stat.js';
import { MARKER_SUPERVISOR, markerEnv } from '../../state/markers.js';
import { readProcessState } from '../../state/process-state.js';
import { appendSpawn } from '../../state/spawn-journal.js';
import { ProcessExecutor } from './process-executor.js';
import { makeWorld, type World } from './test-support/fixtures.js';

const RUNS = 50;
let world: World;
let script: string;

beforeAll(async () => {
  world = await makeWorld();
  script = join(world.dir, 'burst-supervisor.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./test-support/burst-supervisor.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: script,
    logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
});

afterAll(async () => {
  await world.dispose();
});

/** Pids of live processes whose command line is `sleep <tag>.<i>` (found without markers). */
function sleepers(tag: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0');
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (cmd[0] === 'sleep' && cmd[1]?.startsWith(`${tag}.`) && !/\) Z /.test(stat)) out.push(Number(entry));
    } catch {
      // gone in between
    }
  }
  return out;
}

describe('a supervisor SIGKILLed during a burst of spawns', () => {
  it(`leaves 0 processes after down, at ${RUNS} kill moments through a burst of 20 spawns`, async () => {
    let midBurst = 0;
    let unrecorded = 0;
    const left: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const stateDir = join(world.dir, `state-${run}`);
      await import('node:fs/promises').then((fs) => fs.mkdir(stateDir, { mode: 0o700 }));
      const tag = `${7000 + run}`;
      const sup = spawn(process.execPath, [script, stateDir, world.dir, tag], { stdio: ['ignore', 'pipe', 'inherit'] });
      let done = false;
      const lines = createInterface({ input: sup.stdout! });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the burst supervisor did not start in 15 s')), 15_000);
        lines.on('line', (l) => {
          if (l === 'go') {
            clearTimeout(timer);
            resolve();
          }
          if (l === 'done') done = true;
        });
      });
      // Spread the kills from the first spawn to a little past the last (a burst takes ~100 ms).
      await sleep((run * 3) % 150);
      if (!done) midBurst++;
      sup.kill('SIGKILL');
      await new Promise((r) => (sup.exitCode !== null || sup.signalCode !== null ? r(null) : sup.once('exit', r)));
      // A moment for children forked just before the kill to exec their sleep.
      await sleep(30);
      const alive = sleepers(tag);
      const recorded = Object.keys((await readProcessState(stateDir)).entries).length;
      if (alive.length > recorded) unrecorded++;

      const ok = await new ProcessExecutor().cleanup({
        file: join(world.dir, 'services.yaml'),
        project: 'burst',
        stateDir,
        config: null,
        removeVolumes: false,
        report: () => {},
      });
      const after = sleepers(tag);
      if (!ok || after.length > 0) left.push(`run ${run}: cleanup ok=${ok}, left ${after.join(' ')}`);
      for (const pid of after) process.kill(pid, 'SIGKILL');
    }
    console.log(`spawn window: ${RUNS} kills, ${midBurst} inside the burst, ${unrecorded} with children processes.json did not yet list`);
    expect(left).toEqual([]);
    // The test is only worth something if kills really landed inside the burst.
    expect(midBurst).toBeGreaterThan(RUNS / 4);
  }, 240_000);
});

describe('each net on its own', () => {
  it('a process no file mentions is found by its environment markers and stopped', async () => {
    const stateDir = join(world.dir, 'state-markers');
    await import('node:fs/promises').then((fs) => fs.mkdir(stateDir, { mode: 0o700 }));
    const child = spawn('/bin/sh', ['-c', 'sleep 7999.1 & wait'], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, ...markerEnv('burst', stateDir, 'ghost'), [MARKER_SUPERVISOR]: 'a-dead-supervisor' },
    });
    await sleep(100);
    expect(sleepers('7999')).toHaveLength(1);
    const lines: string[] = [];
    await new ProcessExecutor().cleanup({ file: join(world.dir, 'services.yaml'), project: 'burst', stateDir, config: null, removeVolumes: false, report: (l) => lines.push(l) });
    expect(sleepers('7999')).toEqual([]);
    expect(lines.join('\n')).toMatch(/ghost: stopped 2 unrecorded leftover process\(es\) found by their HARNESS_PROJECT_ID marker/);
    child.unref();
  });

  it('a process only the spawn journal records is stopped by the same safety rules', async () => {
    const stateDir = join(world.dir, 'state-journal');
    await import('node:fs/promises').then((fs) => fs.mkdir(stateDir, { mode: 0o700 }));
    // No markers: only the journal knows it.
    const child = spawn('/bin/sh', ['-c', 'sleep 7998.1 & wait'], { detached: true, stdio: 'ignore' });
    await sleep(100);
    const stat = readProcStat(child.pid!)!;
    appendSpawn(stateDir, { service: 'early', pid: child.pid!, pgid: child.pid!, startTime: stat.startTime, bootId: bootId(), binary: '/bin/sh' });
    const lines: string[] = [];
    await new ProcessExecutor().cleanup({ file: join(world.dir, 'services.yaml'), project: 'burst', stateDir, config: null, removeVolumes: false, report: (l) => lines.push(l) });
    expect(sleepers('7998')).toEqual([]);
    expect(lines.join('\n')).toMatch(/early: stopped leftover process group \d+ .*recorded only in the spawn journal/);
    // Handled records leave the journal.
    expect(readFileSync(join(stateDir, 'spawns.ndjson'), 'utf8')).toBe('');
    child.unref();
  });

  it('recovery leaves alone the processes its own supervisor started', async () => {
    const stateDir = join(world.dir, 'state-own');
    await import('node:fs/promises').then((fs) => fs.mkdir(stateDir, { mode: 0o700 }));
    const child = spawn('sleep', ['7997.1'], { detached: true, stdio: 'ignore', env: { ...process.env, ...markerEnv('burst', stateDir, 'mine') } });
    await sleep(100);
    await new ProcessExecutor().cleanup({ file: join(world.dir, 'services.yaml'), project: 'burst', stateDir, config: null, removeVolumes: false, report: () => {} });
    expect(sleepers('7997')).toHaveLength(1);
    child.kill('SIGKILL');
  });
});
