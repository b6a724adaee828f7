// ServiceExecutor for `type: Process`: local programs, each in its own process group.
// Lifecycle and the no-orphans design are described in docs/process-lifecycle.md.
import { execa } from 'execa';
import type { HealthCheck, ProcessTarget, ProjectConfig, ServiceConfig } from '../../../shared/config-types.js';
import { HarnessError } from '../../../shared/errors.js';
import type { LogStream } from '../../../shared/events.js';
import type { HealthResult } from '../../../shared/service-state.js';
import type { CleanupRequest, ExecutorContext, ExitInfo, RecoveryReport, RunningInstance, ServiceExecutor, StopOptions } from '../../core/executor.js';
import { probeCommand, probeHttp, probeTcp } from '../../health/probes.js';
import { cleanupEntry, cleanupLeftovers, projectSignals, recoverProcesses } from './process-leftovers.js';
import { ProcessStateStore } from '../../state/process-state.js';
import { bootId, readProcStat, uptimeTicks } from '../../os/proc-stat.js';
import { describePortOwner, portOwners, takenPorts } from '../../os/port-owners.js';
import { normaliseSignal, signalGroup } from '../../os/process-group.js';
import { ProcessRun, type RunTimings } from './process-run.js';
import { explainSpawnFailure } from './spawn-checks.js';
import { flushRecords, recordInBackground } from './state-record.js';
import { markerEnv } from '../../state/markers.js';
import { appendSpawn, compactSpawnJournal, spawnJournalPath, type SpawnRecord } from '../../state/spawn-journal.js';

/** Overrides of the internal timings (tests and benchmarks shorten them). */
export type ProcessExecutorOptions = Partial<RunTimings>;

const DEFAULT_TIMINGS: RunTimings = { orphanGraceMs: 500, streamCloseMs: 1000, killWaitMs: 2000 };

interface Tracked {
  service: string;
  run: ProcessRun;
  env: Record<string, string>;
  cwd: string;
  stateDir: string;
  record: SpawnRecord;
}

/** Journal lines appended per state directory before it is rewritten to the running processes. */
const JOURNAL_COMPACT_LINES = 256;

function processTarget(service: ServiceConfig): ProcessTarget {
  if (service.target.type !== 'Process') {
    throw new HarnessError('BAD_REQUEST', `${service.name}: ProcessExecutor cannot run a ${service.target.type} target`);
  }
  return service.target;
}

/** Supervisor env, then injected (`<DEP>_ADDR`…), then the service's own env: the service wins. */
function mergeEnv(injected: Record<string, string>, own: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return Object.assign(env, injected, own);
}

/** For the 'started' log line: readable, with arguments that need it quoted. */
function commandLine(binary: string, args: string[]): string {
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [binary, ...args].map(quote).join(' ');
}

export class ProcessExecutor implements ServiceExecutor {
  readonly type = 'Process' as const;
  private readonly timings: RunTimings;
  private readonly stores = new Map<string, ProcessStateStore>();
  private readonly runs = new Map<string, Tracked>();
  private readonly journalLines = new Map<string, number>();

  constructor(opts: ProcessExecutorOptions = {}) {
    this.timings = { ...DEFAULT_TIMINGS, ...opts };
  }

  private store(stateDir: string): ProcessStateStore {
    let store = this.stores.get(stateDir);
    if (!store) {
      store = new ProcessStateStore(stateDir);
      this.stores.set(stateDir, store);
    }
    return store;
  }

  /** True when the entry describes a process this executor is running right now. */
  private ours(pid: number): boolean {
    return this.runs.get(String(pid))?.run.running === true;
  }

  /**
   * Spawns the service and reports it the moment the process exists. Nothing on this path waits
   * for the disk or a thread-pool round trip once the state file was loaded (the first start per
   * state directory): the checks that explain a failed spawn run only after the spawn failed, and
   * the state-file record is written right behind the spawn (see recordInBackground).
   */
  async start(service: ServiceConfig, ctx: ExecutorContext): Promise<RunningInstance> {
    const target = processTarget(service);
    const stopSignal = normaliseSignal(service.stop_signal, service.name);
    // The markers come last: a service cannot unset what recovery finds it by.
    const env = { ...mergeEnv(ctx.injectedEnv, target.env), ...markerEnv(ctx.project.name, ctx.stateDir, service.name) };

    // A record for this service left by a dead supervisor would be overwritten below and its
    // processes forgotten: clean it first (same rules as recover()).
    const store = this.store(ctx.stateDir);
    await store.load();
    const stale = store.get(service.name);
    if (stale && !this.ours(stale.pid)) {
      const outcome = await cleanupEntry(service.name, stale, stopSignal);
      for (const line of outcome.lines) ctx.log('system', `${line}\n`);
      if (outcome.done) await store.remove(service.name, stale.pid);
    }
    if (ctx.signal.aborted) throw new HarnessError('CANCELLED', `${service.name}: start cancelled`);
    if (target.ports.length > 0) {
      // Otherwise a tcp check would connect to whatever holds the port and call this service healthy.
      const busy = await takenPorts(target.ports);
      const taken = busy.length > 0 ? portOwners(busy) : [];
      if (busy.length > 0) {
        if (taken.length === 0) taken.push(...busy.map((port) => ({ address: '*', port })));
        throw new HarnessError(
          'CONFLICT',
          `${service.name}: cannot start: ${taken.map(describePortOwner).join('; ')}; stop that program or change the service's ports in ${ctx.project.file}`,
          { service: service.name, ports: taken },
        );
      }
    }

    const notBefore = uptimeTicks();
    const child = execa(target.binary, target.args, {
      cwd: target.working_dir,
      env,
      extendEnv: false,
      detached: true, // setsid(): own session and process group, pgid = pid
      cleanup: false, // we own the group's lifetime (state file + stop), not execa's exit hook
      forceKillAfterDelay: false, // our stop escalates to SIGKILL on the whole group
      reject: false,
      buffer: false, // output goes to the LogStore, not into memory here
      stdin: 'ignore',
      stripFinalNewline: false,
    });
    // Execa's promise also settles on failures; only the 'exit' event is our signal for a run.
    void child.catch(() => undefined);
    // The fork/exec is synchronous: a pid now means the program runs; none means the spawn
    // failed, and execa's result (reject: false) carries the error as `cause`.
    const pid = child.pid;
    if (pid === undefined) {
      const failure = child.then((r) => (r as { cause?: unknown }).cause ?? r, (e: unknown) => e);
      throw await explainSpawnFailure(failure, {
        service: service.name,
        file: ctx.project.file,
        binary: target.binary,
        cwd: target.working_dir,
        pathVar: env.PATH,
      });
    }
    // Read in the same tick as the spawn, so the leader cannot have been reaped yet (its stat
    // stays readable while it is a zombie); notBefore is only a fallback for a missing /proc.
    const startTime = readProcStat(pid)?.startTime ?? notBefore;
    const record: SpawnRecord = { service: service.name, pid, pgid: pid, startTime, bootId: bootId(), binary: target.binary };
    this.journal(ctx.stateDir, record, ctx);

    const runRef: { run?: ProcessRun } = {};
    const run = new ProcessRun(pid, child, stopSignal, {
      log: (stream: LogStream, chunk) => ctx.log(stream, chunk),
      finished: async () => {
        if (this.runs.get(String(pid))?.run === runRef.run) this.runs.delete(String(pid));
        await store.remove(service.name, pid).catch((err: Error) => {
          ctx.log('system', `could not update ${store.stateDir}/processes.json: ${err.message}\n`);
        });
      },
    }, this.timings);
    runRef.run = run;
    this.runs.set(String(pid), { service: service.name, run, env, cwd: target.working_dir, stateDir: ctx.stateDir, record });
    const { service: _service, ...entry } = record;
    recordInBackground(store, service.name, entry, run, ctx);
    ctx.log('system', `started pid ${pid}: ${commandLine(target.binary, target.args)}\n`);
    return { id: String(pid), pid, exited: run.exited };
  }

  /**
   * The synchronous half of the record (spawn-journal.ts): on disk before start() returns, so no
   * SIGKILL can fall between the spawn and the first record but the instant of the fork itself
   * (which the environment markers cover). Compacted to the running processes now and then.
   */
  private journal(stateDir: string, record: SpawnRecord, ctx: Pick<ExecutorContext, 'log'>): void {
    try {
      let lines = this.journalLines.get(stateDir) ?? 0;
      if (lines >= JOURNAL_COMPACT_LINES) {
        const running = [...this.runs.values()].filter((t) => t.run.running && t.stateDir === stateDir).map((t) => t.record);
        compactSpawnJournal(stateDir, running);
        lines = running.length;
      }
      appendSpawn(stateDir, record);
      this.journalLines.set(stateDir, lines + 1);
    } catch (err) {
      ctx.log('system', `could not append to ${spawnJournalPath(stateDir)}: ${(err as Error).message}\n`);
    }
  }

  /** Resolves once every state-file record requested so far has been written (or its failure
   * handled by stopping the process). */
  async flush(stateDir: string): Promise<void> {
    const store = this.stores.get(stateDir);
    if (store) await flushRecords(store);
  }

  async stop(service: ServiceConfig, instance: RunningInstance, opts: StopOptions): Promise<ExitInfo> {
    const tracked = this.runs.get(instance.id);
    // Not (or no longer) tracked: it ended and was cleaned up already; report how.
    if (!tracked) return instance.exited;
    const sig = normaliseSignal(opts.signal, service.name);
    return tracked.run.stop(sig, Math.max(0, opts.graceMs));
  }

  healthCheck(
    service: ServiceConfig,
    instance: RunningInstance,
    check: Exclude<HealthCheck, { type: 'log' }>,
    signal: AbortSignal,
  ): Promise<HealthResult> {
    switch (check.type) {
      case 'tcp':
        return this.whileRunning(instance, () => probeTcp(check.host ?? '127.0.0.1', check.port, check.timeout_ms, signal));
      case 'http':
        return this.whileRunning(instance, () => probeHttp(check.url, check.expect_status, check.timeout_ms, signal));
      case 'command': {
        // Same environment and directory as the service itself.
        const tracked = this.runs.get(instance.id);
        const target = service.target.type === 'Process' ? service.target : undefined;
        return probeCommand(check.command, {
          cwd: tracked?.cwd ?? target?.working_dir,
          env: tracked?.env ?? mergeEnv({}, target?.env ?? {}),
          timeoutMs: check.timeout_ms,
          signal,
        });
      }
    }
  }

  /** A port answers for the service only while the service's own process runs: after it exited,
   * whatever else listens there must not count as its health. */
  private async whileRunning(instance: RunningInstance, probe: () => Promise<HealthResult>): Promise<HealthResult> {
    const running = (): boolean => this.runs.get(instance.id)?.run.running === true;
    if (!running()) return { ok: false, message: `process ${instance.id} is not running`, at: Date.now() };
    const result = await probe();
    return result.ok && !running() ? { ok: false, message: `process ${instance.id} exited during the check`, at: result.at } : result;
  }

  /** Always empty: a local process's output exists only as it streams through ctx.log, and the
   * LogStore (ring buffer + rotated files) is the one keeper of that history. */
  async getLogs(): Promise<Array<{ stream: LogStream; line: string }>> {
    return [];
  }

  /** Stops every process group the state file still records (a supervisor that was killed). */
  async cleanup(req: CleanupRequest): Promise<boolean> {
    const lines = await cleanupLeftovers(req.stateDir, req.config ? { signalFor: projectSignals(req.config) } : {});
    for (const line of lines) req.report(line);
    return !lines.some((l) => /still running/.test(l));
  }

  /** The service leads its own process group (pgid = pid), which holds all its children. */
  forceKill(_service: ServiceConfig, instance: RunningInstance): void {
    if (instance.pid) signalGroup(instance.pid, 'SIGKILL');
  }

  /** Stops processes recorded by an earlier supervisor; never adopts (see process-leftovers.ts). */
  recover(project: ProjectConfig, stateDir: string): Promise<RecoveryReport> {
    return recoverProcesses(project, this.store(stateDir), (_service, entry) => this.ours(entry.pid));
  }
}
