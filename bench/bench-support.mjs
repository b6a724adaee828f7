// Shared pieces of the benches: build check, a synthetic core served by the real server, headless
// Chromium with software rendering, and waiting for TCP ports (the remote benches).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CHROMIUM = process.env.HARNESS_CHROMIUM ?? '/usr/bin/chromium';

export async function loadBuilt() {
  const need = ['dist/main/server/harness-server.js', 'dist/main/api/dispatcher.js', 'dist/renderer/index.html'];
  const missing = need.filter((p) => !existsSync(join(ROOT, p)));
  if (missing.length) throw new Error(`bench: build first (npm run build): missing ${missing.join(', ')}`);
  // The UI benches read the renderer's test hooks (window.__harness), which only the --test-hooks
  // build has; `npm run bench` has just built the product, so the renderer is rebuilt once here.
  if (!existsSync(join(ROOT, 'dist/renderer/.test-hooks'))) {
    console.log('bench: rebuilding dist/renderer with its test hooks (node scripts/build-renderer.mjs --test-hooks)');
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build-renderer.mjs'), '--test-hooks'], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
    if (built.status !== 0) throw new Error(`bench: the renderer test build failed (exit ${built.status ?? built.signal})`);
  }
  const { startHarnessServer } = await import(join(ROOT, 'dist/main/server/harness-server.js'));
  const { ApiDispatcher } = await import(join(ROOT, 'dist/main/api/dispatcher.js'));
  const { chromium } = await import('playwright-core');
  return { startHarnessServer, ApiDispatcher, chromium };
}

export function processService(name, deps) {
  return {
    config: {
      name,
      target: { type: 'Process', binary: 'node', args: [`${name}.js`], env: {}, working_dir: '/tmp', ports: [] },
      dependencies: deps,
      restart: { policy: 'no', max_retries: 0, backoff_ms: 0, max_backoff_ms: 0 },
      stop_signal: 'SIGTERM',
      stop_grace_period_ms: 1000,
    },
    state: { name, type: 'Process', status: 'stopped', restarts: 0, updatedAt: Date.now() },
  };
}

/** A dispatcher over synthetic services: what the renderer sees is the real contract. `topology`
 * is what `network.topology` answers (default: nothing located). */
export function syntheticCore(ApiDispatcher, services, history = () => [], topology = null) {
  const listeners = new Set();
  const snapshot = () => ({ file: '/bench/services.yaml', project: 'bench', dirty: false, services, problems: [], seq: core.seq });
  const none = () => {
    throw new Error('not supported by the bench core');
  };
  const core = {
    seq: 0,
    emit(event, payload) {
      for (const l of listeners) l(event, payload);
    },
    dispatcher: new ApiDispatcher(
      {
        'project.snapshot': snapshot,
        'project.open': none,
        'project.create': none,
        'project.reload': snapshot,
        'project.edit': snapshot,
        'project.save': none,
        'project.undo': snapshot,
        'project.redo': snapshot,
        'project.revert': snapshot,
        'project.setText': none,
        'project.source': none,
        'project.validate': () => ({ problems: [] }),
        'project.conflict': none,
        'project.recovery': none,
        'project.apply': () => ({ restarted: [], stopped: [] }),
        'services.start': () => ({ started: [] }),
        'services.stop': () => ({ stopped: [] }),
        'services.restart': () => ({ restarted: [] }),
        'logs.history': ({ service, limit }) => history(service, limit),
        'logs.page': ({ services, limit }) => ({ lines: history(services?.[0], limit), next: null, until: 0, evicted: {} }),
        'network.topology': () => topology ?? { interfaces: [], services: [], edges: [] },
        'supervisor.info': () => ({ pid: process.pid, file: null, project: 'bench', startedAt: Date.now(), version: 'bench' }),
        'supervisor.shutdown': () => null,
      },
      { subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) },
    ),
  };
  return core;
}

export async function launchBrowser(chromium, viewport = { width: 1600, height: 1000 }) {
  const profile = await mkdtemp(join(tmpdir(), 'harness-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    // Software rendering, as the issue asks: no GPU, SwiftShader for WebGL.
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-precise-memory-info'],
  });
  return { context, close: async () => { await context.close().catch(() => {}); await rm(profile, { recursive: true, force: true }); } };
}

export async function rendererInfo(page) {
  return page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl');
    if (!gl) return 'no WebGL (DOM/Canvas2D only)';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return ext ? `${gl.getParameter(ext.UNMASKED_VENDOR_WEBGL)} / ${gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)}` : String(gl.getParameter(gl.RENDERER));
  });
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export function printTable(title, rows) {
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
}

/** In-page frame recorder: resolves with frame deltas (ms) over `ms`. */
export function recordFrames(page, ms) {
  return page.evaluate(
    (duration) =>
      new Promise((resolve) => {
        const deltas = [];
        let last = performance.now();
        const end = last + duration;
        const tick = (t) => {
          deltas.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(tick);
          else resolve(deltas);
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

/** Whether a TCP connection to host:port opens within 500 ms. */
export function tcpOpen(host, port) {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok) => { s.destroy(); resolve(ok); };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(500, () => done(false));
  });
}

/** Polls every port as Harness's default start_interval does (25 ms) until all answer. */
export async function waitPorts(host, ports, timeoutMs = 60_000) {
  const left = new Set(ports);
  const deadline = Date.now() + timeoutMs;
  while (left.size > 0) {
    if (Date.now() > deadline) throw new Error(`ports ${[...left].join(',')} on ${host} never answered`);
    await Promise.all([...left].map(async (p) => { if (await tcpOpen(host, p)) left.delete(p); }));
    if (left.size > 0) await new Promise((r) => setTimeout(r, 25));
  }
}
