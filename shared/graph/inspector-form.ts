// What the inspector needs between a service's raw YAML form and its form fields: raw values by
// field path, one setField per changed field, argument lines, the problems of one service.
import type { ConfigEdit, FieldPath, RawService } from '../api.js';
import type { ServiceConfig } from '../config-types.js';

/**
 * A loaded service back in its YAML (JSON) form, for `updateService`. Defaults stay explicit and
 * durations become integer milliseconds (both valid in services.yaml). What the loader resolved
 * cannot be recovered: `${VAR}` references arrive as their values and relative paths as absolute
 * ones. Editors use the snapshot's raw form and `setField` instead; the inspector falls back to
 * this only when the core sends no usable raw form (and says so before it rewrites a service).
 */
export function serviceToRaw(s: ServiceConfig): RawService {
  const raw: RawService = { name: s.name, target: { ...s.target }, dependencies: [...s.dependencies] };
  if (s.health_check) raw.health_check = renameMs(s.health_check);
  raw.restart = { policy: s.restart.policy, max_retries: s.restart.max_retries, backoff: s.restart.backoff_ms, max_backoff: s.restart.max_backoff_ms };
  raw.stop_signal = s.stop_signal;
  raw.stop_grace_period = s.stop_grace_period_ms;
  if (s.ui) raw.ui = s.ui;
  return raw;
}

function renameMs(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.endsWith('_ms') ? k.slice(0, -3) : k, v]));
}

/** Splits an argument line as a shell would for plain words and quotes ('…', "…", \x). */
export function splitArgs(line: string): { ok: true; args: string[] } | { ok: false; reason: string } {
  const args: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) args.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) return { ok: false, reason: `unclosed ${quote} quote` };
  if (has) args.push(cur);
  return { ok: true, args };
}

/** Joins arguments back into one line that splitArgs reads the same. */
export function joinArgs(args: readonly string[]): string {
  return args.map((a) => (a !== '' && /^[A-Za-z0-9_./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'"'"'`)}'`)).join(' ');
}

/**
 * The problems of one service: paths `services.<name>…` (map form) or `services[<index>]…` (list
 * form, `index` being its place in the file's list).
 */
export function problemsForService<P extends { path: string }>(problems: readonly P[], name: string, index: number): P[] {
  const byName = `services.${name}`;
  const byIndex = `services[${index}]`;
  const under = (p: string, root: string) => p === root || p.startsWith(`${root}.`) || p.startsWith(`${root}[`);
  return problems.filter((p) => under(p.path, byName) || (index >= 0 && under(p.path, byIndex)));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `path` in a raw service (JSON), or undefined when a step is missing. */
export function rawAt(raw: unknown, path: FieldPath): unknown {
  let cur = raw;
  for (const k of path) {
    if (typeof k === 'number' ? !Array.isArray(cur) : !isPlainObject(cur)) return undefined;
    const next: unknown = (cur as Record<string | number, unknown>)[k];
    if (next === undefined || (typeof k === 'string' && !Object.hasOwn(cur as object, k))) return undefined;
    cur = next;
  }
  return cur;
}

/**
 * One `setField` per field whose new value differs from the raw service's (JSON equality); an
 * undefined value removes the field. Everything else in the entry stays as written.
 */
export function setFieldEdits(service: string, raw: RawService, fields: ReadonlyArray<{ path: FieldPath; value: unknown }>): ConfigEdit[] {
  const edits: ConfigEdit[] = [];
  for (const f of fields) {
    const before = rawAt(raw, f.path);
    if (JSON.stringify(before) === JSON.stringify(f.value)) continue;
    edits.push({ op: 'setField', service, path: [...f.path], value: f.value === undefined ? null : f.value });
  }
  return edits;
}
