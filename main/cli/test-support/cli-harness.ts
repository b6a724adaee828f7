// Running the BUILT `harness` binary in tests: build once (serialised across test files), run
// commands with a bounded time, and give each test its own project dir and state dir.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLiveState, listGroupMembers, readProcStat } from '../../os/proc-stat.js';
import { freePort } from '../../test-support/ports.js';
export { freePort };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = join(ROOT, 'bin', 'harness.js');
const BUILT = join(ROOT, 'dist', 'main', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than the sources. Other helpers' type errors do not
 * stop tsc from emitting, so only a missing output counts as failure. */
export function ensureBuilt(): void {
  const stale = (): boolean =>
    !existsSync(BUILT) || statSync(BUILT).mtimeMs < Math.max(newestSource(join(ROOT, 'main')), newestSource(join(ROOT, 'shared')));
  if (!stale()) return;
  const lock = join(tmpdir(), 'harness-cli-test-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than 3 minutes belongs to a dead run.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another build of dist/');
      spawnSync('sleep', ['0.2']);
      if (!stale()) return;
    }
  }
  try {
    if (stale()) spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'ignore', timeout: 170_000 });
    if (!existsSync(BUILT)) throw new Error('`tsc -p tsconfig.build.json` produced no dist/main/cli/main.js');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Project {
  dir: string;
  file: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], timeoutMs?: number): Promise<CliResult>;
  start(args: string[]): RunningCli;
  /** `harness down`, then removes the temp dir. Safe to call twice. */
  cleanup(): Promise<void>;
}

export interface RunningCli {
  child: ChildProcess;
  output(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

export function runCli(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[test] killed after ${opts.timeoutMs ?? 60_000} ms`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export function startCli(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return {
    child,
    output: () => out,
    exited,
    async waitFor(re, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(out);
        if (m) return m[0];
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} in:\n${out}`);
        if (child.exitCode !== null) throw new Error(`harness exited (${child.exitCode}) before ${re}:\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

export async function makeProject(yaml: string, extraEnv: Record<string, string> = {}): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-cli-'));
  const file = join(dir, 'services.yaml');
  await writeFile(file, yaml);
  // XDG_RUNTIME_DIR too: `harness serve` writes its launch page there.
  const env: NodeJS.ProcessEnv = { ...process.env, HARNESS_STATE_DIR: join(dir, 'state'), XDG_RUNTIME_DIR: join(dir, 'runtime'), NO_COLOR: '1', ...extraEnv };
  delete env.FORCE_COLOR;
  let cleaned = false;
  const started: RunningCli[] = [];
  return {
    dir,
    file,
    env,
    run: (args, timeoutMs) => runCli(args, { cwd: dir, env, timeoutMs }),
    start: (args) => {
      const cli = startCli(args, { cwd: dir, env });
      started.push(cli);
      return cli;
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      // A foreground `up` a failed test left running is killed; `down` then stops its services
      // from the state file, as after any supervisor crash.
      for (const cli of started) if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      await Promise.all(started.map((cli) => cli.exited));
      await runCli(['down'], { cwd: dir, env, timeoutMs: 60_000 });
      await rm(dir, { recursive: true, force: true });
    },
  };
}


/** Live (non-zombie) processes among pids, plus live members of their process groups. */
export function survivors(pids: number[]): number[] {
  const alive = new Set<number>();
  for (const pid of pids) {
    const st = readProcStat(pid);
    if (st && isLiveState(st.state)) alive.add(pid);
    for (const m of listGroupMembers(pid)) alive.add(m.pid);
  }
  return [...alive];
}

export async function waitUntil(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A reader that starts late and then takes its input in small sips: what `| less` or a busy
 * consumer does to a pipe. What it read goes to its stdout at the end. */
const SLOW_READER = `
const chunks = [];
setTimeout(() => {
  process.stdin.on('data', (c) => {
    chunks.push(c);
    process.stdin.pause();
    setTimeout(() => process.stdin.resume(), 2);
  });
  process.stdin.on('end', () => process.stdout.write(Buffer.concat(chunks)));
}, 300);
`;

function slowReader(): { stdin: NodeJS.WritableStream & { destroy(): void }; output: Promise<string> } {
  const reader = spawn(process.execPath, ['-e', SLOW_READER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const parts: Buffer[] = [];
  reader.stdout.on('data', (d: Buffer) => parts.push(d));
  const output = new Promise<string>((r) => reader.on('close', () => r(Buffer.concat(parts).toString())));
  return { stdin: reader.stdin, output };
}

export interface PipedCli {
  child: ChildProcess;
  /** Exit code plus what the slow readers of stdout and stderr received, once all have ended. */
  result: Promise<CliResult>;
}

/** `harness ARGS | slow-reader` for stdout and for stderr, the pipes going straight from the
 * harness process to the reader processes (as a shell would connect them). */
export function startPiped(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): PipedCli {
  const out = slowReader();
  const err = slowReader();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', out.stdin as never, err.stdin as never] });
  // Only the harness process may hold the write ends, or the readers never see the end.
  out.stdin.destroy();
  err.stdin.destroy();
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const code = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  const result = Promise.all([code, out.output, err.output]).then(([c, stdout, stderr]) => {
    clearTimeout(timer);
    return { code: c, stdout, stderr };
  });
  return { child, result };
}

export function runPiped(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return startPiped(args, opts).result;
}

/** `harness ARGS > file`: the output as a file receives it (the reference a pipe must match). */
export async function runToFile(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  const path = join(opts.cwd, `out-${process.hrtime.bigint()}.txt`);
  const fd = openSync(path, 'w');
  try {
    const r = await new Promise<CliResult>((resolvePromise) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', fd, 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolvePromise({ code, stdout: '', stderr }));
    });
    return { ...r, stdout: readFileSync(path, 'utf8') };
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}
