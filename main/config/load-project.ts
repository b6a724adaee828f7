// Reads services.yaml (and the `.env` beside it) and parses it. I/O errors become problems.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LoadResult } from './config-document.js';
import { parseDotenv } from './dotenv.js';
import { LIMITS } from './fields.js';
import type { Env } from './interpolate.js';
import { parseProject } from './parse-project.js';
import { NO_POS, ProblemList } from './problems.js';

export interface LoadOptions {
  /** Variables for interpolation; defaults to process.env. They win over `.env`. */
  env?: Env;
}

export async function loadProject(file: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const abs = path.resolve(file);
  const problems = new ProblemList(abs);
  const env = await envFor(abs, opts.env ?? process.env, problems);
  let text: string;
  try {
    const st = await fs.stat(abs);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    if (st.size > LIMITS.maxFileBytes) {
      problems.error(NO_POS, '', `the file is larger than ${LIMITS.maxFileBytes / 1024 / 1024} MiB (${st.size} bytes)`);
      return { config: null, problems: problems.items, counts: problems.counts, document: { file: abs, text: '', doc: null, env } };
    }
    text = await fs.readFile(abs, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'file not found' : e.code === 'EACCES' ? 'permission denied' : e.message;
    problems.error(NO_POS, '', `cannot read ${abs}: ${why}`);
    return { config: null, problems: problems.items, counts: problems.counts, document: { file: abs, text: '', doc: null, env } };
  }
  return parseProject(text, abs, env, problems);
}

/** The environment for interpolation: `.env` next to the file, overridden by `base`. */
export async function envFor(file: string, base: Env, problems: ProblemList): Promise<Env> {
  const dotenvFile = path.join(path.dirname(file), '.env');
  let text: string;
  try {
    text = await fs.readFile(dotenvFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      problems.warn(NO_POS, '', `cannot read ${dotenvFile}: ${(err as Error).message}`, dotenvFile);
    }
    return { ...base };
  }
  const { vars, problems: dp } = parseDotenv(text);
  for (const p of dp) problems.warn({ line: p.line, column: 1 }, '', p.message, dotenvFile);
  const env: Env = { ...vars };
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  return env;
}
