// Explaining a failed spawn, so a mistake in services.yaml is reported as the user wrote it
// (service, path, file) instead of the kernel's bare "spawn x ENOENT", which does not even say
// whether the binary or the working directory is missing.
//
// The checks run only AFTER a spawn failed: the fork/exec itself is the authoritative test (it
// searches the service's PATH the same way, in the child), so checking first cost a handful of
// thread-pool stat/access calls on every start — queued behind each other in a burst of starts —
// to predict what the spawn reports anyway. The messages are the same as when they ran first.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { HarnessError, type ErrorCode } from '../../../shared/errors.js';

export interface SpawnSubject {
  service: string;
  /** services.yaml the paths were resolved from. */
  file: string;
  binary: string;
  cwd: string;
  /** PATH the binary is looked up on when it is a bare name. */
  pathVar: string | undefined;
}

function fail(code: ErrorCode, s: SpawnSubject, field: string, what: string, path: string, hint = ''): HarnessError {
  return new HarnessError(code, `${s.service}: ${what}: ${path} (resolved from ${s.file})${hint}`, {
    service: s.service,
    field,
    path,
  });
}

async function statOrNull(path: string): Promise<import('node:fs').Stats | null> {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function checkCwd(s: SpawnSubject): Promise<void> {
  const st = await statOrNull(s.cwd);
  if (!st) throw fail('NOT_FOUND', s, 'target.working_dir', 'working_dir not found', s.cwd);
  if (!st.isDirectory()) throw fail('BAD_REQUEST', s, 'target.working_dir', 'working_dir is not a directory', s.cwd);
  if (!(await executable(s.cwd))) throw fail('BAD_REQUEST', s, 'target.working_dir', 'working_dir is not accessible', s.cwd);
}

async function checkBinaryPath(s: SpawnSubject, path: string): Promise<void> {
  const st = await statOrNull(path);
  if (!st) throw fail('NOT_FOUND', s, 'target.binary', 'binary not found', path);
  if (st.isDirectory()) throw fail('BAD_REQUEST', s, 'target.binary', 'binary is a directory', path);
  if (!(await executable(path))) {
    throw fail('BAD_REQUEST', s, 'target.binary', 'binary is not executable', path, ' — make it executable (chmod +x)');
  }
}

/** First executable file named `name` on PATH, or null. */
export async function findOnPath(name: string, pathVar: string | undefined): Promise<string | null> {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    const st = await statOrNull(candidate);
    if (st?.isFile() && (await executable(candidate))) return candidate;
  }
  return null;
}

/** Rejects with a HarnessError naming the service, the path and the file when the spawn cannot work. */
export async function checkSpawnable(s: SpawnSubject): Promise<void> {
  await checkCwd(s);
  if (s.binary.includes('/')) {
    await checkBinaryPath(s, s.binary);
  } else if (!(await findOnPath(s.binary, s.pathVar))) {
    throw new HarnessError('NOT_FOUND', `${s.service}: binary "${s.binary}" not found on PATH (from ${s.file}); give a path or install it`, {
      service: s.service,
      field: 'target.binary',
      path: s.binary,
    });
  }
}

/**
 * For a spawn that got no pid: `failure` resolves with its error (some errors, ENOENT/EACCES,
 * arrive as an 'error' event on the next tick; others, such as ENOTDIR, are thrown by the spawn
 * itself, which execa turns into a failed result). Returns the clearest error for it: what
 * checkSpawnable finds wrong, else spawnError's reading of the errno.
 */
export async function explainSpawnFailure(failure: Promise<unknown>, s: SpawnSubject): Promise<HarnessError> {
  const err = await failure;
  try {
    await checkSpawnable(s);
  } catch (found) {
    if (found instanceof HarnessError) return found;
  }
  return spawnError(s, err);
}

/** For the rare failure the checks could not foresee (a race, E2BIG, EAGAIN…). */
export function spawnError(s: SpawnSubject, err: unknown): HarnessError {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return fail('NOT_FOUND', s, 'target.binary', 'binary or working_dir not found', `${s.binary} in ${s.cwd}`);
  if (e?.code === 'EACCES') return fail('BAD_REQUEST', s, 'target.binary', 'permission denied', s.binary);
  return new HarnessError('INTERNAL', `${s.service}: cannot start ${s.binary}: ${e?.message ?? String(err)}`, { service: s.service });
}
