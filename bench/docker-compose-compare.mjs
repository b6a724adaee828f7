// Harness vs Debian's docker-compose (1.29) on the same stack: 20 containers in a DAG of depth 4
// (4 levels of 5; each service below the first depends on two of the level above), every service
// health-checked and every dependent gated on its dependencies being healthy. Both `up` and
// `down` are timed, in the same run, on the same engine and image. Plus demux throughput of
// Harness's demuxer vs docker-modem's demuxStream on 100-byte lines.
//   node bench/docker-compose-compare.mjs        (after `npm run build`; needs a Docker engine)
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (rel) => import(pathToFileURL(join(root, 'dist', rel)).href);
const require = createRequire(import.meta.url);

const LEVELS = 4;
const WIDTH = 5;
const IMAGE = 'harness-test/busybox:1';
// httpd daemonises; the shell stays PID 1 and exits at once on SIGTERM (`wait` is interruptible),
// so both tools pay the same for stop and neither waits out a grace period.
const COMMAND = ['sh', '-c', 'httpd -p 8080 -h /www; trap "exit 0" TERM; while :; do sleep 1 & wait; done'];
const PROBE = ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/index.html'];

function dag() {
  const services = [];
  for (let level = 0; level < LEVELS; level++) {
    for (let i = 0; i < WIDTH; i++) {
      const deps = level === 0 ? [] : [`s${level - 1}-${i}`, `s${level - 1}-${(i + 1) % WIDTH}`];
      services.push({ name: `s${level}-${i}`, deps });
    }
  }
  return services;
}

function ensureCompose() {
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return;
  if (process.getuid?.() !== 0) throw new Error('docker-compose missing and not root: apt-get install docker-compose');
  execFileSync('apt-get', ['install', '-y', '-qq', 'docker-compose'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

async function ensureImage(docker) {
  try {
    await docker.getImage(IMAGE).inspect();
  } catch {
    throw new Error(`${IMAGE} missing: run the Docker tests once (they build it locally) before the bench`);
  }
}

function composeFile(services) {
  const lines = ['version: "2.4"', 'services:'];
  for (const s of services) {
    lines.push(`  ${s.name}:`, `    image: ${IMAGE}`, `    command: ${JSON.stringify(COMMAND)}`);
    // Compose's fastest sensible settings: 1 s is the interval people set when they care about
    // start time (the default is 30 s); Harness's own fast defaults poll at 100 ms.
    lines.push('    healthcheck:', `      test: ${JSON.stringify(['CMD', ...PROBE])}`, '      interval: 1s', '      timeout: 2s', '      retries: 30', '      start_period: 0s');
    if (s.deps.length) {
      lines.push('    depends_on:');
      for (const d of s.deps) lines.push(`      ${d}:`, '        condition: service_healthy');
    }
  }
  return `${lines.join('\n')}\n`;
}

function timed(fn) {
  const t0 = process.hrtime.bigint();
  return Promise.resolve(fn()).then(() => Number(process.hrtime.bigint() - t0) / 1e6);
}

async function runCompose(services) {
  const dir = await mkdtemp(join(tmpdir(), 'harness-bench-compose-'));
  const file = join(dir, 'docker-compose.yml');
  await writeFile(file, composeFile(services));
  const name = `hbc${process.pid}`;
  const compose = (...args) => execFileSync('docker-compose', ['-p', name, '-f', file, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const up = await timed(() => compose('up', '-d'));
    const down = await timed(() => compose('down', '-t', '10'));
    return { up, down };
  } finally {
    spawnSync('docker-compose', ['-p', name, '-f', file, 'down', '-t', '0'], { stdio: 'ignore' });
    await rm(dir, { recursive: true, force: true });
  }
}

async function runHarness(services, core, docker) {
  const name = `hbh${process.pid}`;
  const timing = { interval_ms: 100, timeout_ms: 2000, retries: 3, start_period_ms: 30_000 };
  const configs = services.map((s) => ({
    name: s.name,
    target: { type: 'Docker', image: IMAGE, env: {}, ports: [], volumes: [], command: COMMAND },
    dependencies: s.deps,
    // Harness probes from the host (here the container's bridge IP, as no port is published);
    // Compose can only run the probe inside the container through the engine.
    health_check: { type: 'http', url: 'http://localhost:8080/index.html', expect_status: 200, ...timing },
    restart: { policy: 'no', max_retries: 0, backoff_ms: 100, max_backoff_ms: 100 },
    stop_signal: 'SIGTERM',
    stop_grace_period_ms: 10_000,
  }));
  const project = { name, file: join(tmpdir(), 'services.yaml'), dir: tmpdir(), services: configs };
  const logs = new core.LogStore({});
  const executor = new docker.DockerExecutor();
  const network = new core.NetworkManager({ project: name, resolvers: docker.dockerLocationResolvers(executor) });
  const manager = new core.ServiceManager({
    project,
    executors: new Map([['Docker', executor]]),
    network,
    logs,
    stateDir: tmpdir(),
  });
  try {
    let report;
    const up = await timed(async () => {
      report = await manager.start();
    });
    if (report.failed.length) throw new Error(`harness up failed: ${JSON.stringify(report.failed)}`);
    // `down` = stop every service (dependents first) and remove containers + network.
    const down = await timed(async () => {
      await manager.stop();
      await executor.down(name);
    });
    return { up, down };
  } finally {
    await manager.shutdown().catch(() => undefined);
    await executor.down(name).catch(() => undefined);
    await logs.close();
  }
}

function demuxBench(MultiplexDemuxer, encodeFrame, chunkSize) {
  const line = Buffer.from(`${'x'.repeat(99)}\n`);
  const frames = [];
  for (let i = 0; i < 20_000; i++) frames.push(encodeFrame(i % 7 === 0 ? 'stderr' : 'stdout', line));
  const wire = Buffer.concat(frames);
  // Sockets deliver chunks that cut frames anywhere.
  const chunks = [];
  for (let off = 0; off < wire.length; off += chunkSize) chunks.push(wire.subarray(off, off + chunkSize));

  let bytes = 0;
  const ours = () => {
    const d = new MultiplexDemuxer((_s, p) => (bytes += p.length));
    for (const c of chunks) d.push(c);
  };
  const Modem = require('docker-modem');
  const modem = new Modem({ socketPath: '/dev/null' });
  const sink = { write: (p) => (bytes += p.length) };
  const theirs = () => {
    const src = new EventEmitter();
    modem.demuxStream(src, sink, sink);
    for (const c of chunks) src.emit('data', c);
  };
  // Rounds until at least a second has passed, so a slow demuxer does not stall the bench.
  const measure = (fn) => {
    fn(); // warm-up
    bytes = 0;
    let rounds = 0;
    const t0 = process.hrtime.bigint();
    let s = 0;
    while (s < 1) {
      fn();
      rounds++;
      s = Number(process.hrtime.bigint() - t0) / 1e9;
    }
    if (bytes !== line.length * frames.length * rounds) throw new Error(`demux lost bytes: ${bytes}`);
    return (wire.length * rounds) / 1e6 / s;
  };
  return { ours: measure(ours), theirs: measure(theirs) };
}

export async function run() {
  const core = await (await import(pathToFileURL(join(root, 'bench', 'core-support.mjs')).href)).loadCore();
  const dockerMod = await load('main/executors/docker/index.js');
  const { dockerLocationResolvers } = await load('main/network/docker-location-resolvers.js');
  const docker = { ...dockerMod, dockerLocationResolvers };

  const demuxSmall = demuxBench(docker.MultiplexDemuxer, docker.encodeFrame, 4096);
  const demuxLarge = demuxBench(docker.MultiplexDemuxer, docker.encodeFrame, 65536);

  const engine = new docker.DockerEngine();
  await engine.ping();
  await ensureImage(engine.docker);
  ensureCompose();
  const services = dag();
  // Warm both paths once (network creation code paths, exec, page cache), untimed.
  await runHarness(services.slice(0, WIDTH), core, docker);
  const harness = await runHarness(services, core, docker);
  const compose = await runCompose(services);

  const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const rows = [
    ['metric', 'harness', 'docker-compose 1.29', 'harness / compose', 'target'],
    ['up (20 containers, DAG depth 4, health-gated)', f(harness.up), f(compose.up), (harness.up / compose.up).toFixed(2), '<= 0.50'],
    ['down (stop + remove containers + network)', f(harness.down), f(compose.down), (harness.down / compose.down).toFixed(2), '<= 0.50'],
    ...[['4 KiB', demuxSmall], ['64 KiB', demuxLarge]].map(([size, d]) => [
      `log demux MB/s, 100-byte lines, ${size} chunks`,
      d.ours.toFixed(0),
      `${d.theirs.toFixed(1)} (docker-modem demuxStream)`,
      `${(d.ours / d.theirs).toFixed(1)}x`,
      'faster',
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join('  '));
  console.log('notes: compose healthcheck interval 1s (its default is 30s); harness http probe from the host every 100 ms.');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
