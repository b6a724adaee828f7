// What happens to processes recorded in processes.json by a supervisor that is gone.
//
// DECISION: survivors are stopped, never adopted. Their stdout/stderr pipes led to the dead
// supervisor, so their logs are lost from then on and a chatty one may block (or die of SIGPIPE)
// on its next write; they were started with the injected environment of an older run; and the new
// supervisor could not observe their exit code. A clean restart is cheap for local processes and
// predictable, so every recorded process group still running is sent SIGTERM (or the service's
// stop_signal), given 2 s, then SIGKILLed. Each action is reported as a human-readable line.
//
// Safety rules, in order:
//  - another boot id → the pids mean nothing any more; the entry is dropped, nothing is signalled.
//  - the pid exists with ANOTHER start time → the pid was recycled: it is never signalled, and its
//    group is not touched either (the kernel does not hand out a pid that is still some group's
//    pgid, so a live process with that pid means our group no longer exists).
//  - the pid exists with the recorded start time → survivor: its whole group is stopped.
//  - the pid is gone (or a zombie nobody reaps) → the members of the recorded group whose start
//    time is >= the leader's recorded start time are stopped one by one, each re-checked by start
//    time just before every signal. Residual risk, documented in docs/process-lifecycle.md: if our
//    group emptied, its number was reused as a new group's id and that group outlived its own
//    leader, its members would match; that needs several pid-reuse coincidences.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProjectConfig } from '../../../shared/config-types.js';
import type { RecoveryReport, RunningInstance } from '../../core/executor.js';
import { bootId, CLOCK_TICKS_PER_SECOND, isLiveState, listGroupMembers, readProcStat, type ProcStat } from '../../os/proc-stat.js';
import { normaliseSignal, terminateGroup } from '../../os/process-group.js';
import { ProcessStateStore, type ProcessStateEntry } from '../../state/process-state.js';
import { MARKER_PROJECT_ID, MARKER_REMOTE, MARKER_SERVICE, MARKER_SUPERVISOR, projectIdOf, supervisorId } from '../../state/markers.js';
import { compactSpawnJournal, readSpawnJournal, type SpawnRecord } from '../../state/spawn-journal.js';
import { findProcessesByEnv } from '../../os/proc-environ.js';

export const LEFTOVER_GRACE_MS = 2000;
const KILL_WAIT_MS = 2000;

export interface LeftoverOptions {
  /** Time between the stop signal and SIGKILL. Default 2 s. */
  graceMs?: number;
  /** Stop signal per service (the service's stop_signal when its config is known). */
  signalFor?: (service: string) => NodeJS.Signals;
  /** Entries to leave alone, e.g. the ones the calling supervisor runs itself. */
  skip?: (service: string, entry: ProcessStateEntry) => boolean;
}

export interface EntryOutcome {
  lines: string[];
  /** False when something recorded is still running (the entry is kept for another attempt). */
  done: boolean;
}

/** Wall-clock time of a /proc start time, "HH:MM:SS", or '' when it cannot be derived. */
function startedAt(startTime: number): string {
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (!btime) return '';
    const ms = (Number(btime[1]) + startTime / CLOCK_TICKS_PER_SECOND) * 1000;
    return new Date(ms).toTimeString().slice(0, 8);
  } catch {
    return '';
  }
}

function sameProcess(p: ProcStat): boolean {
  const now = readProcStat(p.pid);
  return now !== null && now.startTime === p.startTime && isLiveState(now.state);
}

function signalIfSame(p: ProcStat, sig: NodeJS.Signals): void {
  if (!sameProcess(p)) return;
  try {
    process.kill(p.pid, sig);
  } catch {
    // gone in between, or not ours to signal: nothing more to do
  }
}

/** Stops the given processes individually: signal, grace, SIGKILL. True when none is left. */
async function terminateProcesses(procs: ProcStat[], sig: NodeJS.Signals, graceMs: number): Promise<boolean> {
  const waitGone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (!procs.some(sameProcess)) return true;
      if (Date.now() >= deadline) return false;
      await sleep(20);
    }
  };
  for (const p of procs) signalIfSame(p, sig);
  if (await waitGone(graceMs)) return true;
  for (const p of procs) signalIfSame(p, 'SIGKILL');
  return waitGone(KILL_WAIT_MS);
}

/** Applies the safety rules above to one recorded entry. */
export async function cleanupEntry(
  service: string,
  entry: ProcessStateEntry,
  sig: NodeJS.Signals = 'SIGTERM',
  graceMs = LEFTOVER_GRACE_MS,
): Promise<EntryOutcome> {
  if (entry.bootId !== bootId()) {
    return { lines: [`${service}: dropped record of pid ${entry.pid} from a previous boot`], done: true };
  }
  const when = startedAt(entry.startTime);
  const started = when ? ` (started ${when})` : '';
  const leader = readProcStat(entry.pid);
  if (leader && leader.startTime !== entry.startTime) {
    return {
      lines: [`${service}: pid ${entry.pid} now belongs to another process (${leader.comm}); record dropped, nothing signalled`],
      done: true,
    };
  }
  if (leader && isLiveState(leader.state)) {
    const { graceful, gone } = await terminateGroup(entry.pgid, sig, graceMs, KILL_WAIT_MS);
    // A leader that moved itself to another group is stopped on its own.
    const leaderGone = sameProcess(leader) ? await terminateProcesses([leader], sig, graceMs) : true;
    const how = graceful ? sig : 'SIGKILL';
    const ok = gone && leaderGone;
    return {
      lines: [ok
        ? `${service}: stopped leftover process group ${entry.pgid} (pid ${entry.pid}, ${entry.binary})${started} with ${how}`
        : `${service}: leftover process group ${entry.pgid} (pid ${entry.pid}) is still running after SIGKILL`],
      done: ok,
    };
  }
  const members = listGroupMembers(entry.pgid).filter((p) => p.startTime >= entry.startTime);
  if (members.length === 0) return { lines: [], done: true };
  const ok = await terminateProcesses(members, sig, graceMs);
  const pids = members.map((p) => p.pid).join(', ');
  return {
    lines: [ok
      ? `${service}: stopped ${members.length} leftover process(es) of group ${entry.pgid} whose leader ${entry.pid} had exited${started}: ${pids}`
      : `${service}: leftover processes of group ${entry.pgid} still running after SIGKILL: ${pids}`],
    done: ok,
  };
}

/**
 * Cleans every entry of the store (in parallel, each bounded by the grace period) and rewrites
 * the file without the handled ones; then what the state file never got to: spawn-journal records
 * it lacks, and live processes that carry this project's environment markers but belong to no
 * running supervisor of ours. Returns the report lines.
 */
export async function cleanupStore(store: ProcessStateStore, opts: LeftoverOptions = {}): Promise<string[]> {
  const lines = await store.refresh();
  const signalFor = (service: string): NodeJS.Signals => opts.signalFor?.(service) ?? 'SIGTERM';
  const graceMs = opts.graceMs ?? LEFTOVER_GRACE_MS;
  const recorded = store.list();
  const work = recorded.filter(([service, entry]) => !opts.skip?.(service, entry));
  const outcomes = await Promise.all(work.map(async ([service, entry]) => {
    const outcome = await cleanupEntry(service, entry, signalFor(service), graceMs);
    if (outcome.done) await store.remove(service, entry.pid);
    return outcome;
  }));
  for (const o of outcomes) lines.push(...o.lines);

  const known = new Set(recorded.map(([, e]) => e.pid));
  const journal = new Map<number, SpawnRecord>();
  for (const r of readSpawnJournal(store.stateDir)) if (!known.has(r.pid)) journal.set(r.pid, r);
  const keep: SpawnRecord[] = [];
  const fromJournal = await Promise.all([...journal.values()].map(async (r) => {
    if (opts.skip?.(r.service, r)) {
      keep.push(r);
      return [];
    }
    const outcome = await cleanupEntry(r.service, r, signalFor(r.service), graceMs);
    if (!outcome.done) keep.push(r);
    return outcome.lines.map((l) => `${l} (recorded only in the spawn journal)`);
  }));
  for (const l of fromJournal) lines.push(...l);

  lines.push(...(await stopMarkedSurvivors(store.stateDir, signalFor, graceMs)));
  try {
    compactSpawnJournal(store.stateDir, keep);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') lines.push(`could not rewrite the spawn journal: ${(err as Error).message}`);
  }
  return lines;
}

/** Processes of this project found by their markers, started by a supervisor other than this
 * process (which is gone: the caller holds the project's lock), stopped one by one. */
async function stopMarkedSurvivors(stateDir: string, signalFor: (service: string) => NodeJS.Signals, graceMs: number): Promise<string[]> {
  // Remote services (MARKER_REMOTE) belong to the RemoteLan executor's recovery, even when their
  // host shares this machine's /proc.
  const marked = findProcessesByEnv(MARKER_PROJECT_ID, projectIdOf(stateDir)).filter((p) => p.env.get(MARKER_SUPERVISOR) !== supervisorId() && !p.env.has(MARKER_REMOTE));
  const byService = new Map<string, ProcStat[]>();
  for (const p of marked) {
    const service = p.env.get(MARKER_SERVICE) ?? '?';
    byService.set(service, [...(byService.get(service) ?? []), p.stat]);
  }
  const lines = await Promise.all([...byService].map(async ([service, procs]) => {
    const ok = await terminateProcesses(procs, signalFor(service), graceMs);
    const pids = procs.map((p) => p.pid).join(', ');
    return ok
      ? `${service}: stopped ${procs.length} unrecorded leftover process(es) found by their ${MARKER_PROJECT_ID} marker: ${pids}`
      : `${service}: unrecorded leftover process(es) found by their ${MARKER_PROJECT_ID} marker still running after SIGKILL: ${pids}`;
  }));
  return lines;
}

/**
 * For `harness down`/`ps` when no supervisor runs: stops everything processes.json still records
 * and returns what was done. Must not be called while a live supervisor owns the state dir (it
 * would stop that supervisor's services); the supervisor socket lock is what guarantees that.
 */
export function cleanupLeftovers(stateDir: string, opts: LeftoverOptions = {}): Promise<string[]> {
  return cleanupStore(new ProcessStateStore(stateDir), opts);
}

/** Stop signal per service from the project, SIGTERM for services no longer in it. */
export function projectSignals(project: ProjectConfig): (service: string) => NodeJS.Signals {
  return (name) => {
    const svc = project.services.find((s) => s.name === name);
    try {
      return svc ? normaliseSignal(svc.stop_signal) : 'SIGTERM';
    } catch {
      return 'SIGTERM';
    }
  };
}

/** ProcessExecutor.recover: nothing is adopted (see the decision above). */
export async function recoverProcesses(
  project: ProjectConfig,
  store: ProcessStateStore,
  skip?: LeftoverOptions['skip'],
): Promise<RecoveryReport> {
  const cleaned = await cleanupStore(store, { signalFor: projectSignals(project), skip });
  return { adopted: new Map<string, RunningInstance>(), cleaned };
}
