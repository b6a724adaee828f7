// Where Harness keeps per-project state (process state file, logs, the supervisor socket).
// Paths are kept short on purpose: `<projectStateDir>/supervisor.sock` must fit the 108-byte
// sun_path limit of Unix sockets, so the directory name is a short readable prefix plus a hash.
import { createHash } from 'node:crypto';
import { mkdir, chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/** `$HARNESS_STATE_DIR`, else `$XDG_STATE_HOME/harness`, else `~/.local/state/harness`. */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HARNESS_STATE_DIR) return resolve(env.HARNESS_STATE_DIR);
  if (env.XDG_STATE_HOME) return join(resolve(env.XDG_STATE_HOME), 'harness');
  return join(homedir(), '.local', 'state', 'harness');
}

const MAX_PREFIX = 24;

/** A file-name-safe, bounded rendering of the directory that holds services.yaml. */
export function sanitiseDirName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return (cleaned || 'project').slice(0, MAX_PREFIX);
}

/**
 * `<root>/<sanitised dir name, ≤24 chars>-<first 12 hex of sha256(absolute file path)>`.
 * The hash keeps two projects with the same directory name apart; the prefix keeps it readable.
 */
export function projectStateDir(file: string, env: NodeJS.ProcessEnv = process.env): string {
  const abs = resolve(file);
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 12);
  return join(stateRoot(env), `${sanitiseDirName(basename(dirname(abs)))}-${hash}`);
}

/** Creates the project's state directory (owner-only) and returns it. */
export async function ensureProjectStateDir(file: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = projectStateDir(file, env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and ignored for an existing directory: enforce it.
  await chmod(dir, 0o700);
  return dir;
}
