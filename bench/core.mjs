// `npm run bench -- core`: the orchestrator core's start-up, stop and memory benchmarks against
// the built code in dist/. Also runnable alone: `node bench/core.mjs` (after `npm run build`).
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { table } from './core-support.mjs';
import { buildDag, startupRun } from './core-startup.mjs';
import { stopRun } from './core-stop.mjs';

const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');

export async function run() {
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`machine: ${cpus().length} CPUs, load average ${load} (timings on a loaded machine are upper bounds)`);
  const dag = buildDag({ services: 200, depth: 5, seed: 42, baseMs: 400, jitterMs: 200 });
  console.log(`DAG: ${dag.nodes.length} services, depth 5, readiness after 400-600 ms each; critical-path lower bound ${dag.lowerBoundMs} ms`);
  const runs = [];
  runs.push(await startupRun({ label: 'harness: log-line readiness', readiness: 'log', dag, measureMemory: true }));
  runs.push(await startupRun({ label: 'harness: tcp probe, start_interval 25 ms, interval 1 s (defaults)', readiness: 'tcp', startIntervalMs: 25, intervalMs: 1000, dag }));
  runs.push(await startupRun({ label: 'core only (minimal spawn executor), log readiness', readiness: 'log', executor: 'minimal', dag }));
  runs.push(await startupRun({ label: 'BASELINE: periodic probe every 1000 ms (process-compose/Compose-style)', readiness: 'tcp', startIntervalMs: 1000, intervalMs: 1000, dag }));
  console.log('\nStart-up (targets: p95 ready→spawned < 5 ms per edge; makespan within 10% of the lower bound)\n');
  console.log(table([
    ['run', 'makespan ms', 'lower bound ms', 'overhead', 'ready→start p50/p95 ms', 'ready→spawned p50/p95 ms', 'edges'],
    ...runs.map((r) => [
      r.label,
      ms(r.makespan),
      r.lowerBound,
      `${r.overheadPct.toFixed(1)}%`,
      `${ms(r.decideP50)} / ${ms(r.decideP95)}`,
      `${ms(r.spawnP50)} / ${ms(r.spawnP95)}`,
      r.edges,
    ]),
  ]));
  console.log('\nCritical path breakdown (sums over its services, ms): gap = dependency ready → start decided (the core),')
  console.log('spawn = start decided → process spawned (executor), readiness = spawned → ready minus the known delay (process start-up + detection)\n');
  console.log(table([
    ['run', 'services', 'known delay', 'gap', 'spawn', 'readiness'],
    ...runs.map((r) => [r.label, r.path.nodes, r.path.delay, ms(r.path.gap), ms(r.path.spawn), ms(r.path.readiness)]),
  ]));
  const mem = runs[0].memory;
  console.log('\nMemory of the core with 200 services running idle (bench process; children excluded)\n');
  console.log(table([
    ['metric', 'value'],
    ['heap used by the core (after GC, delta)', `${mem.heapUsedMB.toFixed(1)} MiB`],
    ['process RSS', `${mem.rssMB.toFixed(1)} MiB`],
    ['RSS growth from before the core was created', `${mem.rssDeltaMB.toFixed(1)} MiB`],
  ]));

  const stops = [];
  stops.push(await stopRun({ label: 'cooperative (exit on SIGTERM)', trees: 50, cooperative: true }));
  stops.push(await stopRun({ label: "ignores SIGTERM (trap '' TERM), grace 300 ms", trees: 10, cooperative: false, graceMs: 300 }));
  console.log('\nStop of process trees (target: all gone < 100 ms for cooperative ones; orphans must be 0)\n');
  console.log(table([
    ['run', 'trees', 'processes', 'stop() resolved ms', 'all gone ms', 'orphans'],
    ...stops.map((s) => [s.label, s.trees, s.processes, ms(s.stopResolved), ms(s.allGone), s.orphans]),
  ]));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
