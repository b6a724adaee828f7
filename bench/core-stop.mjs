// Stop benchmark: N process trees (a shell with two children each), stopped together. Reports
// the time until every process of the trees is gone and how many are left (orphans).
import { readFileSync } from 'node:fs';
import { withTimeout, loadCore, processService, processesWith, tempDir } from './core-support.mjs';

export async function stopRun({ label, trees = 50, cooperative = true, graceMs = 5000 }) {
  const core = await loadCore();
  const tmp = await tempDir('harness-bench-stop-');
  // A unique sleep duration marks this run's processes in /proc.
  const marker = `9${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const trap = cooperative ? '' : "trap '' TERM; ";
  const services = Array.from({ length: trees }, (_, i) => {
    const s = processService(`t${i}`, { args: ['-c', `${trap}sleep ${marker} & sleep ${marker} & wait; wait`], cwd: tmp.dir });
    s.stop_grace_period_ms = graceMs;
    return s;
  });
  const logs = new core.LogStore({ stateDir: tmp.dir });
  const manager = new core.ServiceManager({
    project: { name: 'bench-stop', file: `${tmp.dir}/services.yaml`, dir: tmp.dir, services },
    executors: new Map([['Process', new core.ProcessExecutor()]]),
    network: new core.NetworkManager({ project: 'bench-stop' }),
    logs,
    stateDir: tmp.dir,
  });
  try {
    const report = await withTimeout(manager.start(), 60_000, `${label}: start`);
    if (report.failed.length > 0) throw new Error(`${label}: start failed: ${JSON.stringify(report.failed[0])}`);
    // Wait (bounded) until every grandchild exists, so the stop has whole trees to take down.
    const deadline = Date.now() + 30_000;
    while ((await processesWith(`sleep ${marker}`)).length < trees * 2) {
      if (Date.now() > deadline) throw new Error(`${label}: trees did not come up`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const pids = [...(await processesWith(`sleep ${marker}`)), ...manager.states().map((st) => st.pid)];
    // Watch every pid of the trees while the stop runs: "all gone" is when the last one is gone
    // (or a zombie), measured independently of when stop() resolves.
    let allGone = NaN;
    let watching = true;
    const t0 = performance.now();
    const watcher = (async () => {
      while (watching) {
        if (pids.every(goneOrZombie)) {
          allGone = performance.now() - t0;
          return;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    await withTimeout(manager.stop(), 60_000, `${label}: stop`);
    const stopResolved = performance.now() - t0;
    const until = Date.now() + 5000;
    while (Number.isNaN(allGone) && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    watching = false;
    await watcher;
    const left = (await processesWith(`sleep ${marker}`)).filter((pid) => !goneOrZombie(pid));
    return { label, trees, processes: trees * 3, stopResolved, allGone, orphans: left.length };
  } finally {
    await manager.shutdown();
    await logs.close();
    for (const pid of await processesWith(`sleep ${marker}`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await tmp.remove();
  }
}

function goneOrZombie(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}
