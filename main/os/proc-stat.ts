// Reading /proc/<pid>/stat (Linux). Used to tell a process we started from a recycled pid (the
// start time is unique per boot) and to find every member of a process group.
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  comm: string;
  /** One letter: R, S, D, Z (zombie), T, X (dead)… */
  state: string;
  ppid: number;
  pgid: number;
  /** Field 22: clock ticks since boot when the process started. */
  startTime: number;
}

/**
 * Parses the text of /proc/<pid>/stat. The comm field (2) is wrapped in parentheses and may itself
 * contain spaces and ')' — so the fields after it are split from the LAST ')'.
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const rest = text.slice(close + 1).trim().split(/\s+/);
  if (rest.length < 20) return null;
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0],
    ppid: Number(rest[1]),
    pgid: Number(rest[2]),
    startTime: Number(rest[19]),
  };
  return Number.isInteger(stat.pid) && Number.isFinite(stat.startTime) && Number.isInteger(stat.pgid) ? stat : null;
}

// One shared buffer: a stat line is a few hundred bytes (comm is at most 16). Reading with a raw
// fd is several times cheaper than readFileSync (no fstat, no allocation), which matters when a
// stop scans /proc.
const statBuf = Buffer.alloc(4096);

/** null when the process does not exist (or /proc is unavailable). */
export function readProcStat(pid: number): ProcStat | null {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return null;
  }
  try {
    const n = readSync(fd, statBuf, 0, statBuf.length, 0);
    return parseProcStat(statBuf.toString('latin1', 0, n));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** A zombie has exited and only waits to be reaped (possibly never, under a PID 1 that does not
 * reap): for our purposes it is gone. */
export function isLiveState(state: string): boolean {
  return state !== 'Z' && state !== 'X' && state !== 'x';
}

/** True when pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const st = readProcStat(pid);
  return st !== null && isLiveState(st.state);
}

export interface ProcSnapshot {
  /** performance.now() when the scan started: the snapshot shows no process born after it. */
  at: number;
  /** Live (non-zombie) processes by process group. */
  byGroup: Map<number, ProcStat[]>;
}

let lastSnapshot: ProcSnapshot | null = null;

/**
 * One pass over /proc. Concurrent waiters (e.g. 50 services stopping at once) share a snapshot:
 * one taken at or after `notBefore` (performance.now() time) is reused instead of rescanning.
 * That is sound for "is the group empty?": a group with no live member at time T stays empty,
 * as nothing can join it without a live member — provided T is after the group was created,
 * which callers guarantee by passing the time they started waiting.
 */
export function scanProcesses(notBefore = Infinity): ProcSnapshot {
  if (lastSnapshot && lastSnapshot.at >= notBefore) return lastSnapshot;
  const at = performance.now();
  const byGroup = new Map<number, ProcStat[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    // no /proc: nothing can be listed
  }
  for (const name of entries) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue; // only numeric entries are processes
    const st = readProcStat(Number(name));
    if (!st || !isLiveState(st.state)) continue;
    const list = byGroup.get(st.pgid);
    if (list) list.push(st);
    else byGroup.set(st.pgid, [st]);
  }
  lastSnapshot = { at, byGroup };
  return lastSnapshot;
}

/** Every live (non-zombie) process whose process group is pgid, from a fresh scan (or one
 * taken at or after `notBefore`, see scanProcesses). */
export function listGroupMembers(pgid: number, notBefore = Infinity): ProcStat[] {
  return scanProcesses(notBefore).byGroup.get(pgid) ?? [];
}

let bootIdCache: string | undefined;

/** The kernel's boot id: start times are only comparable within one boot. */
export function bootId(): string {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootIdCache = '';
    }
  }
  return bootIdCache;
}

/** USER_HZ is 100 on every mainstream Linux architecture; /proc start times are in these ticks. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** Ticks since boot now, rounded down: a lower bound for the start time of a process spawned later. */
export function uptimeTicks(): number {
  try {
    const seconds = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return Math.floor(seconds * CLOCK_TICKS_PER_SECOND) - 1;
  } catch {
    return 0;
  }
}
