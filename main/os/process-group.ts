// Signalling and waiting for whole process groups. A service runs in its own group (setsid), so
// its children and grandchildren share the leader's pgid and are stopped together.
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError } from '../../shared/errors.js';
import { isLiveState, listGroupMembers, readProcStat, type ProcStat } from './proc-stat.js';

/** 'TERM', 'sigterm', 'SIGTERM' → 'SIGTERM'; unknown names are a user error. */
export function normaliseSignal(name: string, service?: string): NodeJS.Signals {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (full in constants.signals) return full as NodeJS.Signals;
  const who = service ? `${service}: ` : '';
  throw new HarnessError('BAD_REQUEST', `${who}unknown stop signal "${name}" (use e.g. SIGTERM, SIGINT, SIGQUIT)`);
}

/** Number → name ('SIGTERM'), for exit reporting. */
export function signalName(sig: NodeJS.Signals | number | null | undefined): string | null {
  if (sig === null || sig === undefined) return null;
  if (typeof sig === 'string') return sig;
  const found = Object.entries(constants.signals).find(([, n]) => n === sig);
  return found ? found[0] : String(sig);
}

/** Sends sig to every member of the group. False when the group no longer exists. */
export function signalGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false; // never -0/-1: that would hit everything
  try {
    process.kill(-pgid, sig);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code === 'EPERM') return true; // some member belongs to someone else; the rest got it
    throw err;
  }
}

/**
 * True while the group has a live member. kill(-pgid, 0) is the cheap test; when it says "exists"
 * we confirm from /proc, because zombies (exited, never reaped — e.g. orphans under a PID 1 that
 * does not reap) keep the group "existing" forever although nothing runs. `notBefore`: see
 * scanProcesses (a performance.now() mark after the group was created).
 */
export function groupAlive(pgid: number, notBefore?: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  return listGroupMembers(pgid, notBefore).length > 0;
}

/** Scanning /proc costs milliseconds; a cooperative group is usually gone (and reaped) before this. */
const SCAN_AFTER_MS = 15;

function stillMember(p: ProcStat, pgid: number): boolean {
  const now = readProcStat(p.pid);
  return now !== null && now.startTime === p.startTime && now.pgid === pgid && isLiveState(now.state);
}

/**
 * Polls until the group is empty or timeoutMs passes. Resolves true when it is gone.
 * kill(-pgid, 0) answers "nobody left" cheaply once every member is reaped. While it still says
 * "exists", the members seen in one /proc scan are re-checked one by one (cheap), and /proc is
 * scanned again only when all of them are gone — to catch late forks and to tell a group of
 * unreaped zombies (gone for our purposes) from live members.
 */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const started = Date.now();
  const deadline = started + Math.max(0, timeoutMs);
  let known: ProcStat[] | null = null;
  // A scan taken at or after this performance.now() mark is good enough (see scanProcesses);
  // waiting one poll before rescanning lets concurrent waiters share one scan.
  let scanNotBefore = performance.now();
  let rescanDue = true;
  // Fast first polls: a cooperative service usually exits within a few milliseconds.
  let delay = 5;
  for (;;) {
    if (!signalGroup(pgid, 0)) return true;
    if (Date.now() - started >= SCAN_AFTER_MS) {
      if (rescanDue) {
        known = listGroupMembers(pgid, scanNotBefore);
        if (known.length === 0) return true;
        rescanDue = false;
      } else if (!known!.some((p) => stillMember(p, pgid))) {
        scanNotBefore = performance.now();
        rescanDue = true;
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(delay, left));
    delay = Math.min(20, delay + 5);
  }
}

export interface TerminateResult {
  /** The group was gone before the SIGKILL was needed. */
  graceful: boolean;
  /** The group is empty at the end (false only if even SIGKILL did not empty it in time). */
  gone: boolean;
}

/**
 * signal → wait up to graceMs → SIGKILL → wait up to killWaitMs. Safe to call on a group that is
 * already empty.
 */
export async function terminateGroup(
  pgid: number,
  signal: NodeJS.Signals,
  graceMs: number,
  killWaitMs = 2000,
): Promise<TerminateResult> {
  if (!signalGroup(pgid, signal)) return { graceful: true, gone: true };
  if (await waitGroupGone(pgid, graceMs)) return { graceful: true, gone: true };
  signalGroup(pgid, 'SIGKILL');
  return { graceful: false, gone: await waitGroupGone(pgid, killWaitMs) };
}
