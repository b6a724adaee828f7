// The per-project supervisor lock: `<stateDir>/supervisor.lock`, created with O_EXCL and holding
// the owner's pid plus its start time from /proc. A lock is stale when its owner is dead or its
// pid now belongs to another process (start time differs, or another boot): a stale lock is taken
// over, a live one makes the second supervisor refuse and name the first.
import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../../shared/errors.js';
import { bootId, isLiveState, readProcStat } from '../os/proc-stat.js';

export const LOCK_FILE = 'supervisor.lock';

export interface LockInfo {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: tells the owner from a later process that got the same pid. */
  startTime: number;
  bootId: string;
  /** What holds the project: 'harness up', 'harness up -d', 'harness serve', 'desktop app'. */
  command: string;
  file: string;
  project: string | null;
  /** Epoch milliseconds. */
  startedAt: number;
}

export interface SupervisorLock {
  readonly info: LockInfo;
  readonly path: string;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

export function lockPath(stateDir: string): string {
  return join(stateDir, LOCK_FILE);
}

/** The lock's content, or null when there is none (or it cannot be parsed). */
export function readLock(stateDir: string): LockInfo | null {
  let text: string;
  try {
    text = readFileSync(lockPath(stateDir), 'utf8');
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (!Number.isInteger(v.pid) || typeof v.startTime !== 'number') return null;
    return v as LockInfo;
  } catch {
    return null;
  }
}

/** True when the process named in the lock is still the one that wrote it. Never trusts a bare
 * pid: a recycled pid has another start time. */
export function isLockOwnerAlive(info: LockInfo): boolean {
  if (info.bootId && bootId() && info.bootId !== bootId()) return false;
  const st = readProcStat(info.pid);
  return st !== null && isLiveState(st.state) && st.startTime === info.startTime;
}

/** The live owner of the project's lock, or null. */
export function liveLockOwner(stateDir: string): LockInfo | null {
  const info = readLock(stateDir);
  return info && isLockOwnerAlive(info) ? info : null;
}

export function describeOwner(info: LockInfo): string {
  const started = new Date(info.startedAt).toLocaleTimeString('en-GB', { hour12: false });
  return `pid ${info.pid} (${info.command}, started ${started})`;
}

export function conflictError(info: LockInfo): HarnessError {
  const project = info.project ?? info.file;
  return new HarnessError(
    'CONFLICT',
    `project ${project} is already supervised by ${describeOwner(info)}; use \`harness down\` or \`harness logs -f\``,
    { owner: info },
  );
}

/**
 * Takes the lock or throws HarnessError('CONFLICT') naming the live owner.
 * Race note: two processes taking over the same stale lock at once both unlink and retry the
 * O_EXCL create; exactly one create succeeds, and the loser sees a live owner and refuses.
 */
export function acquireLock(
  stateDir: string,
  owner: { command: string; file: string; project: string | null },
): SupervisorLock {
  const path = lockPath(stateDir);
  const self = readProcStat(process.pid);
  const info: LockInfo = {
    pid: process.pid,
    startTime: self?.startTime ?? 0,
    bootId: bootId(),
    command: owner.command,
    file: owner.file,
    project: owner.project,
    startedAt: Date.now(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const existing = readLock(stateDir);
      if (existing && isLockOwnerAlive(existing)) throw conflictError(existing);
      if (existing === null && attempt === 0) {
        // Unreadable: possibly a lock being written this instant. Look once more before calling
        // it stale (a crash between create and write leaves an empty file forever otherwise).
        sleepSync(50);
        const again = readLock(stateDir);
        if (again && isLockOwnerAlive(again)) throw conflictError(again);
      }
      try {
        unlinkSync(path); // stale: owner dead, pid recycled, or garbage
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(info));
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      info,
      path,
      release() {
        if (released) return;
        released = true;
        const current = readLock(stateDir);
        if (current && current.pid === info.pid && current.startTime === info.startTime) {
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        }
      },
    };
  }
  throw new HarnessError('CONFLICT', `could not take the supervisor lock ${path} (it keeps changing)`);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
