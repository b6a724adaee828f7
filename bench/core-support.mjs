// Shared helpers of the core benchmarks (no `run` export: bench/run.mjs imports it harmlessly).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const load = (rel) => import(pathToFileURL(join(dist, rel)).href);

export async function loadCore() {
  const [{ ServiceManager }, { LogStore }, { NetworkManager }, { ProcessExecutor }] = await Promise.all([
    load('main/core/service-manager.js'),
    load('main/logs/log-store.js'),
    load('main/network/network-manager.js'),
    load('main/executors/process/process-executor.js'),
  ]);
  return { ServiceManager, LogStore, NetworkManager, ProcessExecutor };
}

/** Deterministic PRNG (mulberry32), so every run builds the same DAG with the same delays. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export async function freePorts(n) {
  const servers = [];
  for (let i = 0; i < n; i++) {
    servers.push(await new Promise((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    }));
  }
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Loaded-config shape (defaults applied), as the loader would produce it. */
export function processService(name, { deps = [], binary = '/bin/sh', args = [], ports = [], health, cwd }) {
  return {
    name,
    target: { type: 'Process', binary, args, env: {}, working_dir: cwd, ports },
    dependencies: deps,
    ...(health ? { health_check: health } : {}),
    restart: { policy: 'no', max_retries: 5, backoff_ms: 250, max_backoff_ms: 10_000 },
    stop_signal: 'SIGTERM',
    stop_grace_period_ms: 5000,
  };
}

/**
 * The thinnest possible executor (spawn in a new process group, kill the group), used to tell
 * the core's own overhead apart from ProcessExecutor's (state file, spawn checks, execa).
 */
export function minimalExecutor() {
  const running = new Map();
  return {
    type: 'Process',
    async start(service, ctx) {
      const t = service.target;
      const child = spawn(t.binary, t.args, {
        cwd: t.working_dir,
        env: { ...process.env, ...ctx.injectedEnv, ...t.env },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (c) => ctx.log('stdout', c));
      child.stderr.on('data', (c) => ctx.log('stderr', c));
      await new Promise((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      running.set(String(child.pid), child);
      return { id: String(child.pid), pid: child.pid, exited };
    },
    async stop(_service, instance, opts) {
      try {
        process.kill(-instance.pid, opts.signal);
      } catch {
        /* gone */
      }
      return instance.exited;
    },
    async healthCheck() {
      return { ok: false, message: 'not supported', at: Date.now() };
    },
    async getLogs() {
      return [];
    },
  };
}

/** Processes whose command line contains `marker` (to count orphans). */
export async function processesWith(marker) {
  const { readdir, readFile } = await import('node:fs/promises');
  const out = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = (await readFile(`/proc/${d}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (cmd.includes(marker)) out.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r, ri) => {
    const line = r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
    return ri === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

/** Rejects after `ms` (the ref'd timer also keeps the process alive, so a stuck await is reported, not a silent exit). */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
