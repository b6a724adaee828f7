// `harness import` and `project.import`: read a compose file, convert it, check the result with
// the Harness loader, and write it atomically (never over an existing file unless forced).
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ConfigProblem } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { envFor } from '../config/load-project.js';
import { parseProject } from '../config/parse-project.js';
import { ProblemList } from '../config/problems.js';
import { schemaRefFor } from '../config/save-document.js';
import { writeFileAtomic } from '../os/atomic-write.js';
import { convertCompose } from './convert-compose.js';

export interface ImportOptions {
  /** The compose file. */
  source: string;
  /** The services.yaml to write. */
  target: string;
  profiles?: string[];
  /** Replace an existing target. */
  force?: boolean;
  /** The compose file as named in loss lines (default: its base name). */
  displayName?: string;
  /** Environment of the import (and of the check): default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface ImportResult {
  /** Absolute path written. */
  file: string;
  losses: string[];
  /** What the Harness loader says about the file written (warnings included). */
  problems: ConfigProblem[];
  /** No error among the problems. */
  valid: boolean;
  services: string[];
}

export async function importCompose(opts: ImportOptions): Promise<ImportResult> {
  const source = path.resolve(opts.source);
  const target = path.resolve(opts.target);
  const env = opts.env ?? process.env;
  if (!opts.force && (await exists(target))) {
    throw new HarnessError('CONFLICT', `${opts.target} already exists; not overwriting it (choose another file, or remove it first)`);
  }
  let text: string;
  try {
    text = await fs.readFile(source, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new HarnessError('NOT_FOUND', `cannot read the compose file ${opts.displayName ?? opts.source}: ${why}`);
  }
  // `${VAR:+alt}` is resolved with what Compose itself would see: the environment over its `.env`.
  const composeEnv = await envFor(source, env, new ProblemList(source));
  const result = convertCompose(text, {
    composeFile: source,
    outFile: target,
    profiles: opts.profiles,
    env: composeEnv,
    readText: (abs) => {
      try {
        return readFileSync(abs, 'utf8');
      } catch {
        return undefined;
      }
    },
    displayName: opts.displayName,
    schemaRef: schemaRefFor(path.dirname(target)),
  });
  // Checked as Harness will load it: the `.env` beside the new file, under this environment.
  const problems = new ProblemList(target);
  const loaded = parseProject(result.text, target, await envFor(target, env, problems), problems);
  try {
    await writeFileAtomic(target, result.text, { exclusive: !opts.force });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new HarnessError('CONFLICT', `${opts.target} already exists; not overwriting it (choose another file, or remove it first)`);
    throw new HarnessError('INTERNAL', `cannot write ${opts.target}: ${(err as Error).message}`);
  }
  return {
    file: target,
    losses: result.lossLines,
    problems: loaded.problems,
    valid: loaded.config !== null,
    services: result.services,
  };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}
