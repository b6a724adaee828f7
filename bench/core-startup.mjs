// Start-up benchmark of the core: a 200-service DAG of depth 5, each service ready after a known
// delay. Reports the makespan against the critical-path lower bound and the latency from a
// dependent's last dependency becoming ready to the dependent being started/spawned.
import v8 from 'node:v8';
import vm from 'node:vm';
import { freePorts, withTimeout, loadCore, minimalExecutor, percentile, processService, rng, tempDir } from './core-support.mjs';

/** Levels of `width` services; each below the first depends on 1-3 services of the level above. */
export function buildDag({ services = 200, depth = 5, seed = 42, baseMs = 400, jitterMs = 200 }) {
  const rand = rng(seed);
  const width = Math.ceil(services / depth);
  const nodes = [];
  for (let i = 0; i < services; i++) {
    const level = Math.floor(i / width);
    const prev = nodes.filter((n) => n.level === level - 1);
    const deps = new Set();
    if (level > 0) {
      const k = 1 + Math.floor(rand() * 3);
      while (deps.size < Math.min(k, prev.length)) deps.add(prev[Math.floor(rand() * prev.length)].name);
    }
    nodes.push({ name: `s${String(i).padStart(3, '0')}`, level, deps: [...deps], delayMs: baseMs + Math.floor(rand() * jitterMs) });
  }
  // Critical path: earliest possible ready time with zero overhead.
  const finish = new Map();
  for (const n of nodes) finish.set(n.name, n.delayMs + Math.max(0, ...n.deps.map((d) => finish.get(d))));
  return { nodes, lowerBoundMs: Math.max(...finish.values()) };
}

function gcNow() {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  gc();
  gc();
}

/**
 * One run. readiness: 'log' (prints "ready" after the delay; event-driven) or 'tcp' (busybox
 * httpd listens after the delay; probed every `startIntervalMs` until the first success, then
 * every `intervalMs`; without startIntervalMs the monitor's default min(25, intervalMs) applies).
 */
export async function startupRun({ label, readiness, intervalMs = 5, startIntervalMs, executor = 'process', measureMemory = false, dag }) {
  const core = await loadCore();
  const tmp = await tempDir('harness-bench-');
  const ports = readiness === 'tcp' ? await freePorts(dag.nodes.length) : [];
  const services = dag.nodes.map((n, i) => {
    const sleep = `sleep ${(n.delayMs / 1000).toFixed(3)}`;
    const port = ports[i];
    const script = readiness === 'log'
      ? `${sleep}; echo ready; exec sleep 3600`
      : `${sleep}; exec busybox httpd -f -p 127.0.0.1:${port} -h ${tmp.dir}`;
    const health = readiness === 'log'
      ? { type: 'log', pattern: '^ready$', stream: 'stdout', interval_ms: 100, timeout_ms: 1000, retries: 3, start_period_ms: 120_000 }
      : {
          type: 'tcp',
          host: '127.0.0.1',
          port,
          interval_ms: intervalMs,
          ...(startIntervalMs !== undefined ? { start_interval_ms: startIntervalMs } : {}),
          timeout_ms: 1000,
          retries: 3,
          start_period_ms: 120_000,
        };
    return processService(n.name, { deps: n.deps, args: ['-c', script], health, cwd: tmp.dir, ports: port ? [port] : [] });
  });
  const project = { name: 'bench', file: `${tmp.dir}/services.yaml`, dir: tmp.dir, services };
  gcNow();
  const before = process.memoryUsage();
  const logs = new core.LogStore({ stateDir: tmp.dir });
  const exec = executor === 'minimal' ? minimalExecutor() : new core.ProcessExecutor();
  const manager = new core.ServiceManager({
    project,
    executors: new Map([['Process', exec]]),
    network: new core.NetworkManager({ project: 'bench' }),
    logs,
    stateDir: tmp.dir,
  });
  const at = new Map();
  manager.on((e) => {
    if (e.type !== 'status') return;
    const key = `${e.event.state.name}:${e.event.state.status}`;
    if (!at.has(key)) at.set(key, performance.now());
  });
  try {
    const t0 = performance.now();
    const report = await withTimeout(manager.start(), 120_000, `${label}: start of ${dag.nodes.length} services`);
    const makespan = performance.now() - t0;
    if (report.failed.length > 0) throw new Error(`${label}: ${report.failed.length} services failed, e.g. ${JSON.stringify(report.failed[0])}`);
    const decide = [];
    const spawned = [];
    for (const n of dag.nodes) {
      if (n.deps.length === 0) continue;
      const ready = Math.max(...n.deps.map((d) => at.get(`${d}:healthy`)));
      decide.push(at.get(`${n.name}:starting`) - ready);
      spawned.push(at.get(`${n.name}:running`) - ready);
    }
    // Where the time on the critical path went: trace back from the last service to become
    // ready through, at each step, the dependency that became ready last.
    const byName = new Map(dag.nodes.map((n) => [n.name, n]));
    let cur = dag.nodes.reduce((a, b) => (at.get(`${a.name}:healthy`) > at.get(`${b.name}:healthy`) ? a : b));
    const path = { gap: 0, spawn: 0, readiness: 0, delay: 0, nodes: 0 };
    while (cur) {
      const start = at.get(`${cur.name}:starting`);
      const depReady = cur.deps.length > 0 ? Math.max(...cur.deps.map((d) => at.get(`${d}:healthy`))) : t0;
      path.gap += start - depReady;
      path.spawn += at.get(`${cur.name}:running`) - start;
      path.readiness += at.get(`${cur.name}:healthy`) - at.get(`${cur.name}:running`) - cur.delayMs;
      path.delay += cur.delayMs;
      path.nodes++;
      cur = cur.deps.length > 0 ? byName.get(cur.deps.reduce((a, b) => (at.get(`${a}:healthy`) > at.get(`${b}:healthy`) ? a : b))) : undefined;
    }
    let memory;
    if (measureMemory) {
      await new Promise((r) => setTimeout(r, 500));
      gcNow();
      const idle = process.memoryUsage();
      memory = {
        heapUsedMB: (idle.heapUsed - before.heapUsed) / 2 ** 20,
        rssMB: idle.rss / 2 ** 20,
        rssDeltaMB: (idle.rss - before.rss) / 2 ** 20,
      };
    }
    return {
      label,
      makespan,
      lowerBound: dag.lowerBoundMs,
      overheadPct: ((makespan - dag.lowerBoundMs) / dag.lowerBoundMs) * 100,
      decideP50: percentile(decide, 50),
      decideP95: percentile(decide, 95),
      spawnP50: percentile(spawned, 50),
      spawnP95: percentile(spawned, 95),
      edges: decide.length,
      path,
      memory,
    };
  } finally {
    await withTimeout(manager.shutdown(), 60_000, `${label}: shutdown`);
    await logs.close();
    await tmp.remove();
  }
}
