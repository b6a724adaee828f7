// Which services.yaml a command works on, and how paths are shown to the user.
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { ConfigProblem } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { formatProblem } from '../config/problems.js';
import { flagString, type ParsedArgs } from './args.js';

export const DEFAULT_FILE = 'services.yaml';

/** Absolute path of `-f FILE` (default ./services.yaml). With `mustExist`, a missing file is a
 * clear error instead of a problem list; `fileFlag` is how this command takes the file (`logs`
 * uses -f for follow). */
export function projectFile(args: ParsedArgs, mustExist: boolean, fileFlag = '-f FILE'): string {
  const given = flagString(args, 'file');
  const abs = resolve(given ?? DEFAULT_FILE);
  if (mustExist && !existsSync(abs)) {
    if (given) throw new HarnessError('NOT_FOUND', `${displayPath(abs)} not found`);
    throw new HarnessError('NOT_FOUND', `no ${DEFAULT_FILE} in ${displayPath(process.cwd()) || '.'} (use ${fileFlag})`);
  }
  return abs;
}

/** Relative to the working directory when inside it (as compilers print), else absolute. */
export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** `file:line:col: error: path: message`, with the file shown as the user would type it. */
export function formatCliProblem(p: ConfigProblem): string {
  return formatProblem({ ...p, file: displayPath(p.file) });
}
