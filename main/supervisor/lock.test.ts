import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../../shared/errors.js';
import { bootId, readProcStat } from '../os/proc-stat.js';
import { acquireLock, liveLockOwner, lockPath, readLock, type LockInfo } from './lock.js';

const owner = { command: 'harness up', file: '/x/services.yaml', project: 'demo' };

describe('supervisor lock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'harness-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records pid and /proc start time, and refuses a second owner naming the first', () => {
    const lock = acquireLock(dir, owner);
    try {
      const info = readLock(dir) as LockInfo;
      expect(info.pid).toBe(process.pid);
      expect(info.startTime).toBe(readProcStat(process.pid)?.startTime);
      let err: unknown;
      try {
        acquireLock(dir, { ...owner, command: 'harness serve' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('CONFLICT');
      expect((err as HarnessError).message).toMatch(
        new RegExp(`project demo is already supervised by pid ${process.pid} \\(harness up, started \\d\\d:\\d\\d:\\d\\d\\); use \`harness down\``),
      );
    } finally {
      lock.release();
    }
    expect(readLock(dir)).toBeNull();
  });

  it('takes over a lock whose owner is dead', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    const pid = child.pid as number;
    const startTime = readProcStat(pid)?.startTime as number;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await writeFile(lockPath(dir), JSON.stringify({ ...owner, pid, startTime, bootId: bootId(), startedAt: Date.now() }));
    expect(liveLockOwner(dir)).toBeNull();
    const lock = acquireLock(dir, owner);
    expect(readLock(dir)?.pid).toBe(process.pid);
    lock.release();
  });

  it('treats a live pid with another start time as recycled (stale), never as the owner', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      const pid = child.pid as number;
      const real = readProcStat(pid)?.startTime as number;
      await writeFile(lockPath(dir), JSON.stringify({ ...owner, pid, startTime: real - 1, bootId: bootId(), startedAt: Date.now() }));
      expect(liveLockOwner(dir)).toBeNull();
      const lock = acquireLock(dir, owner);
      expect(readLock(dir)?.pid).toBe(process.pid);
      lock.release();
      expect(child.exitCode).toBeNull(); // the unrelated process was left alone
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over a garbage lock file', async () => {
    await writeFile(lockPath(dir), '');
    const lock = acquireLock(dir, owner);
    expect(readLock(dir)?.pid).toBe(process.pid);
    lock.release();
  });

  it('release leaves a lock that is no longer ours alone', async () => {
    const lock = acquireLock(dir, owner);
    const other = { ...owner, pid: 1, startTime: 1, bootId: bootId(), startedAt: Date.now() };
    await writeFile(lockPath(dir), JSON.stringify(other));
    lock.release();
    expect(readLock(dir)?.pid).toBe(1);
  });
});
