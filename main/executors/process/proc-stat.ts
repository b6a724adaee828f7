// Reading /proc/<pid>/stat (Linux). Used to tell a process we started from a recycled pid (the
// start time is unique per boot) and to find every member of a process group.
import { readFileSync, readdirSync } from 'node:fs';

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

/** null when the process does not exist (or /proc is unavailable). */
export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
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

/** Every live (non-zombie) process whose process group is pgid. Scans /proc. */
export function listGroupMembers(pgid: number): ProcStat[] {
  const members: ProcStat[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const name of entries) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue; // only numeric entries are processes
    const st = readProcStat(Number(name));
    if (st && st.pgid === pgid && isLiveState(st.state)) members.push(st);
  }
  return members;
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
