// Test fixtures for process-executor tests: a temp world (state dir + project), contexts that
// capture output, and /proc helpers to prove that processes are really gone.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProjectConfig, ServiceConfig } from '../../../../shared/config-types.js';
import type { LogStream } from '../../../../shared/events.js';
import type { ExecutorContext } from '../../../core/executor.js';
import { isAlive, listGroupMembers, readProcStat, type ProcStat } from '../../../os/proc-stat.js';

export interface World {
  dir: string;
  stateDir: string;
  project: ProjectConfig;
  /** Every pid a test saw; killed with SIGKILL on dispose, whatever happened. */
  track(...pids: number[]): void;
  dispose(): Promise<void>;
}

export async function makeWorld(): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-h2-'));
  const stateDir = join(dir, 'state');
  await import('node:fs/promises').then((fs) => fs.mkdir(stateDir, { mode: 0o700 }));
  // pid → start time, so cleanup never signals a pid that was recycled meanwhile.
  const tracked = new Map<number, number>();
  return {
    dir,
    stateDir,
    project: { name: 'test', file: join(dir, 'services.yaml'), dir, services: [] },
    track: (...pids) => {
      for (const pid of pids) {
        const st = readProcStat(pid);
        if (st) tracked.set(pid, st.startTime);
      }
    },
    async dispose() {
      for (const [pid, startTime] of tracked) {
        if (readProcStat(pid)?.startTime !== startTime) continue;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function processService(name: string, binary: string, args: string[], world: World, extra: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    name,
    target: { type: 'Process', binary, args, env: {}, working_dir: world.dir, ports: [] },
    dependencies: [],
    restart: { policy: 'no', max_retries: 0, backoff_ms: 100, max_backoff_ms: 1000 },
    stop_signal: 'SIGTERM',
    stop_grace_period_ms: 1000,
    ...extra,
  };
}

export interface CapturedContext extends ExecutorContext {
  output: Record<LogStream, string>;
  /** Resolves once `text` appeared on the stream (bounded). */
  waitFor(stream: LogStream, text: string | RegExp, timeoutMs?: number): Promise<string>;
}

export function captureContext(world: World, injectedEnv: Record<string, string> = {}, signal = new AbortController().signal): CapturedContext {
  const output: Record<LogStream, string> = { stdout: '', stderr: '', system: '' };
  const ctx: CapturedContext = {
    project: world.project,
    stateDir: world.stateDir,
    injectedEnv,
    signal,
    output,
    log(stream, chunk) {
      output[stream] += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    },
    progress() {},
    async waitFor(stream, text, timeoutMs = 10_000) {
      return waitUntil(() => {
        const found = typeof text === 'string' ? output[stream].includes(text) : text.test(output[stream]);
        return found ? output[stream] : undefined;
      }, timeoutMs, `"${String(text)}" on ${stream}; got: ${JSON.stringify(output[stream]).slice(0, 400)}`);
    },
  };
  return ctx;
}

/** Polls `probe` every 10 ms until it returns a value; throws naming `what` after timeoutMs. */
export async function waitUntil<T>(probe: () => T | undefined | null | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Waits until the group has exactly `count` live members and returns them. */
export function waitForGroup(pgid: number, count: number, timeoutMs = 10_000): Promise<ProcStat[]> {
  return waitUntil(() => {
    const members = listGroupMembers(pgid);
    return members.length === count ? members : undefined;
  }, timeoutMs, `${count} live members in process group ${pgid} (have ${listGroupMembers(pgid).length})`);
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Live (non-zombie) pids among the given ones. */
export function stillAlive(pids: number[]): number[] {
  return pids.filter(isAlive);
}
