// `env_file:` and `environment:` to one Harness `env` map. env_file values are inlined (read
// relative to the compose file, in order, later files winning), then `environment` wins over
// them, as in Compose. A variable named without a value (`- DEBUG`, `DEBUG:`) passes the value
// through from Harness's own environment as `${DEBUG}`.
import path from 'node:path';
import { parseDotenv } from '../config/dotenv.js';
import { childPath, get, type CNode } from './compose-tree.js';
import type { ServiceScope } from './context.js';
import { literal, scalarText } from './values.js';

const KEY = /^[^=\0]+$/;

export interface EnvResult {
  env: Record<string, string>;
  /** env files inlined, as written in the compose file. */
  files: string[];
}

export function mapEnvironment(s: ServiceScope): EnvResult {
  const env: Record<string, string> = {};
  const files: string[] = [];
  const envFile = get(s.node, 'env_file');
  if (envFile) {
    const items = envFile.kind === 'seq' ? envFile.items : [envFile];
    for (const it of items) readEnvFile(it, s, env, files);
  }
  const environment = get(s.node, 'environment');
  if (environment) {
    if (environment.kind === 'map') {
      for (const e of environment.entries) setVar(s, env, e.key, e.value, { line: e.line, path: childPath(environment.path, e.key) });
    } else if (environment.kind === 'seq') {
      for (const it of environment.items) {
        const t = scalarText(it);
        if (t === undefined) {
          s.notConverted(it, 'expected "KEY=VALUE" or "KEY"');
          continue;
        }
        const eq = t.indexOf('=');
        if (eq < 0) setVar(s, env, t, undefined, it);
        else setVar(s, env, t.slice(0, eq), { kind: 'scalar', line: it.line, path: it.path, value: t.slice(eq + 1) }, it);
      }
    } else if (!(environment.kind === 'scalar' && environment.value === null)) {
      s.notConverted(environment, 'expected a map or a list of KEY=VALUE');
    }
  }
  return { env, files };
}

function setVar(s: ServiceScope, env: Record<string, string>, key: string, v: CNode | undefined, at: { line: number; path: string }): void {
  if (!KEY.test(key)) {
    s.notConverted(at, `"${key}" is not a variable name`);
    return;
  }
  const raw = v === undefined ? undefined : scalarText(v);
  if (v !== undefined && v.kind !== 'scalar') {
    s.notConverted(at, 'expected a string, number or boolean');
    return;
  }
  if (raw === undefined) {
    env[key] = `\${${key}}`;
    s.approximated(at, `no value: passed through from Harness's environment as \${${key}}; empty (with a warning) when unset, where Compose leaves it out`);
    return;
  }
  env[key] = s.refs(at, raw);
}

function readEnvFile(it: CNode, s: ServiceScope, env: Record<string, string>, files: string[]): void {
  let file: string | undefined;
  let required = true;
  let raw = false;
  if (it.kind === 'map') {
    file = scalarText(get(it, 'path'));
    const req = get(it, 'required');
    if (req?.kind === 'scalar' && (req.value === false || req.value === 'false')) required = false;
    raw = scalarText(get(it, 'format')) === 'raw';
    for (const e of it.entries) if (!['path', 'required', 'format'].includes(e.key)) s.notConverted(s.child(it, e.key), `unknown env_file field "${e.key}"`);
  } else file = scalarText(it);
  if (file === undefined) {
    s.notConverted(it, 'expected a file name or a map {path, required}');
    return;
  }
  if (file.includes('$')) {
    s.notConverted(it, `the env file "${file}" is named through a variable; its values are not inlined`);
    return;
  }
  const abs = path.resolve(s.ctx.composeDir, file);
  const text = s.ctx.readText(abs);
  if (text === undefined) {
    if (required) s.notConverted(it, `${file} cannot be read (next to the compose file); its variables are not inlined`);
    return;
  }
  files.push(file);
  const { vars, problems } = parseDotenv(text);
  for (const p of problems) s.notConverted(it, `${file} line ${p.line}: ${p.message}`);
  const singleQuoted = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*'/.exec(line);
    if (m) singleQuoted.add(m[1]);
  }
  for (const [k, v] of Object.entries(vars)) {
    // Compose interpolates unquoted and double-quoted values; single-quoted and `format: raw` are literal.
    env[k] = raw || singleQuoted.has(k) ? literal(v) : s.refs(it, v);
  }
}
