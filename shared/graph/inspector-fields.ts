// The inspector's form, as data: which fields each target type and health check type has (with
// the field paths the loader uses in its problems), a form read from a service as written in the
// file (its raw form), and the edits that turn the raw form into the form: one `setField` per
// changed field, dependency edits, and the rename last. Pure, so it is unit-tested, and the field
// paths are checked against the loader's problem paths (main/config/inspector-paths.test.ts).
import type { ConfigEdit, FieldPath, RawService } from '../api.js';
import { HEALTH_CHECK_TYPES, LOG_STREAMS, RESTART_POLICIES, STOP_SIGNALS, type HealthCheckType } from '../config-fields.js';
import type { TargetType } from '../config-types.js';
import { FIELD_KEY } from '../api.js';
import { fieldPathText } from '../field-path.js';
import { joinArgs, splitArgs } from './inspector-form.js';

export type FieldKind = 'text' | 'list' | 'env' | 'select' | 'command';

export interface FieldDef {
  /** The path below the service entry, as `setField` takes it. */
  path: FieldPath;
  label: string;
  kind: FieldKind;
  /** text: how the typed text is written. 'number' writes digits as a number (anything else as
   * typed, e.g. `${PORT}`, for the loader to judge); 'string' writes it as a string. */
  as?: 'string' | 'number';
  /** list: how items are written. */
  items?: 'string' | 'number';
  options?: readonly string[];
  placeholder?: string;
  hint?: string;
  /** The loader requires it: emptied, it is written as "" (reported at this field) rather than
   * removed (which would be reported at the enclosing map). */
  required?: boolean;
}

/** The key of a field in the form and in the DOM (`target.args`, `health_check.port`). */
export function fieldKey(path: FieldPath): string {
  return fieldPathText('', path);
}

const t = (key: string, label: string, extra: Partial<FieldDef> = {}): FieldDef => ({ path: ['target', key], label, kind: 'text', as: 'string', ...extra });
const ENV = t('env', 'Environment', { kind: 'env' });
const PORTS_NUM = t('ports', 'Ports', { kind: 'list', items: 'number', placeholder: '8080', hint: 'The first one is <NAME>_PORT for dependents.' });

export const TARGET_FIELDS: Record<TargetType, FieldDef[]> = {
  Process: [
    t('binary', 'Binary', { placeholder: 'node, ./bin/server', required: true }),
    t('args', 'Arguments', { kind: 'list', items: 'string' }),
    ENV,
    t('working_dir', 'Working directory', { placeholder: 'the directory of services.yaml' }),
    PORTS_NUM,
  ],
  Docker: [
    t('image', 'Image', { placeholder: 'nginx:alpine', hint: 'Required: the image to run (or the tag a build produces).', required: true }),
    t('entrypoint', 'Entrypoint', { kind: 'list', items: 'string', hint: "Replaces the image's ENTRYPOINT." }),
    t('command', 'Command', { kind: 'list', items: 'string', hint: "Replaces the image's CMD." }),
    t('working_dir', 'Working directory', { placeholder: '/app', hint: "An absolute path inside the container; replaces the image's WORKDIR." }),
    ENV,
    t('ports', 'Ports', { kind: 'list', items: 'number', placeholder: '8080:80', hint: '80, "8080:80", "127.0.0.1:8080:80", "53:53/udp"' }),
    t('volumes', 'Volumes', { kind: 'list', items: 'string', placeholder: './data:/data' }),
  ],
  RemoteLan: [
    t('host', 'Host', { required: true }),
    t('user', 'User', { required: true }),
    t('port', 'SSH port', { as: 'number', placeholder: '22' }),
    t('binary', 'Binary (on the host)', { required: true }),
    t('args', 'Arguments', { kind: 'list', items: 'string' }),
    t('working_dir', 'Working directory (on the host)', { placeholder: '~', hint: 'Relative paths and ~/x are relative to the login user\'s home.' }),
    ENV,
    PORTS_NUM,
    t('identity_file', 'Identity file (private key here)', { placeholder: '~/.ssh/id_ed25519' }),
    t('tunnel', 'Tunnel', { kind: 'select', options: ['', 'auto', 'always', 'never'], hint: 'auto: an SSH tunnel where a direct address cannot work.' }),
    t('ssh_port', 'SSH port (older spelling of port)', { as: 'number', placeholder: '22' }),
  ],
  Wireguard: [
    t('host', 'Host (its tunnel address)', { required: true }),
    t('user', 'User', { required: true }),
    t('port', 'SSH port', { as: 'number', placeholder: '22' }),
    t('package', 'Package', { placeholder: './dist/app.tar.gz', required: true, hint: 'A .tar.gz with start.sh at its root (harness pack DIR makes one).' }),
    ENV,
    PORTS_NUM,
    t('install_root', 'Install root (on the host)', { placeholder: '/opt/harness', hint: 'Releases go to <install root>/<service>/releases; ~/x is under the login user\'s home.' }),
    t('identity_file', 'Identity file (private key here)', { placeholder: '~/.ssh/id_ed25519' }),
    t('tunnel', 'Tunnel', { kind: 'select', options: ['', 'auto', 'always', 'never'], hint: 'auto: edges that cannot work directly are published on the tunnel address or forwarded over SSH.' }),
    t('ssh_port', 'SSH port (older spelling of port)', { as: 'number', placeholder: '22' }),
  ],
};

/** Docker's `build`: a context path, or {context, dockerfile}; edited as two texts. */
export const BUILD_FIELDS: FieldDef[] = [
  { path: ['target', 'build', 'context'], label: 'Build context', kind: 'text', as: 'string', placeholder: './docker' },
  { path: ['target', 'build', 'dockerfile'], label: 'Dockerfile', kind: 'text', as: 'string', placeholder: 'Dockerfile' },
];

const h = (key: string, label: string, extra: Partial<FieldDef> = {}): FieldDef => ({ path: ['health_check', key], label, kind: 'text', as: 'string', ...extra });
const TIMING = [
  h('interval', 'Interval', { as: 'number', placeholder: '1s' }),
  h('start_interval', 'Start interval', { as: 'number', placeholder: '25ms' }),
  h('timeout', 'Timeout', { as: 'number', placeholder: '1s' }),
  h('retries', 'Retries', { as: 'number', placeholder: '3' }),
  h('start_period', 'Start period', { as: 'number', placeholder: '60s' }),
];

export const HEALTH_FIELDS: Record<HealthCheckType, FieldDef[]> = {
  tcp: [h('port', 'Port', { as: 'number', placeholder: 'the first port' }), h('host', 'Host', { placeholder: '127.0.0.1' }), ...TIMING],
  http: [
    h('url', 'URL', { placeholder: 'http://127.0.0.1:8080/health' }),
    h('port', 'Port', { as: 'number', placeholder: 'the first port' }),
    h('path', 'Path', { placeholder: '/' }),
    h('expect_status', 'Expected status', { as: 'number', placeholder: 'any 2xx/3xx' }),
    ...TIMING,
  ],
  command: [h('command', 'Command', { kind: 'command', placeholder: 'pg_isready -h 127.0.0.1', hint: 'Run by sh -c; ready when it exits 0.' }), ...TIMING],
  log: [h('pattern', 'Pattern', { placeholder: 'listening on', hint: 'A regular expression.' }), h('stream', 'Stream', { kind: 'select', options: ['', ...LOG_STREAMS] }), ...TIMING],
};

export const RESTART_FIELDS: FieldDef[] = [
  { path: ['restart', 'policy'], label: 'Restart', kind: 'select', options: RESTART_POLICIES },
  { path: ['restart', 'max_retries'], label: 'Max retries', kind: 'text', as: 'number', placeholder: '5' },
  { path: ['restart', 'backoff'], label: 'Backoff', kind: 'text', as: 'number', placeholder: '250ms' },
  { path: ['restart', 'max_backoff'], label: 'Max backoff', kind: 'text', as: 'number', placeholder: '10s' },
];

export const STOP_FIELDS: FieldDef[] = [
  { path: ['stop_signal'], label: 'Stop signal', kind: 'select', options: ['', ...STOP_SIGNALS] },
  { path: ['stop_grace_period'], label: 'Stop grace period', kind: 'text', as: 'number', placeholder: '10s' },
];

export type HealthChoice = HealthCheckType | 'none';
export const HEALTH_CHOICES: readonly HealthChoice[] = ['none', ...HEALTH_CHECK_TYPES];

export type FormValue = string | string[] | Array<[string, string]>;

export interface InspectorForm {
  name: string;
  health: HealthChoice;
  /** By fieldKey; every field of the target type, health check type, restart and stop. */
  values: Record<string, FormValue>;
  dependencies: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v);

/** `<<` merge keys folded in (explicit keys win), so the form shows what the loader reads. */
function merged(v: unknown): Obj | undefined {
  if (!isObj(v)) return undefined;
  const src = v['<<'];
  const sources = Array.isArray(src) ? src : src === undefined ? [] : [src];
  const out: Obj = {};
  for (const s of sources) if (isObj(s)) Object.assign(out, merged(s));
  for (const [k, x] of Object.entries(v)) if (k !== '<<') out[k] = x;
  return out;
}

/** The service as the form reads it: merge keys resolved at each level the form edits. */
export function effectiveRaw(raw: RawService): Obj {
  const top = merged(raw) ?? {};
  for (const k of ['target', 'health_check', 'restart']) {
    const m = merged(top[k]);
    if (m) top[k] = m;
  }
  const target = top.target;
  if (isObj(target)) {
    const build = merged(target.build);
    if (build) target.build = build;
  }
  return top;
}

function at(raw: Obj, path: FieldPath): unknown {
  let cur: unknown = raw;
  for (const k of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[k as string];
  }
  return cur;
}

export function targetTypeOf(raw: RawService): TargetType | null {
  const type = at(effectiveRaw(raw), ['target', 'type']);
  return type === 'Process' || type === 'Docker' || type === 'RemoteLan' || type === 'Wireguard' ? type : null;
}

function healthOf(raw: Obj): HealthChoice {
  const hc = raw.health_check;
  if (!isObj(hc)) return 'none';
  return (HEALTH_CHECK_TYPES as readonly unknown[]).includes(hc.type) ? (hc.type as HealthCheckType) : 'none';
}

/** Every field the form holds for a target type (all health types, so switching keeps text). */
export function allFields(type: TargetType | null): FieldDef[] {
  const target = type ? TARGET_FIELDS[type] : [];
  const health = Object.values(HEALTH_FIELDS).flat();
  const unique = new Map<string, FieldDef>();
  for (const f of [...target, ...(type === 'Docker' ? BUILD_FIELDS : []), ...health, ...RESTART_FIELDS, ...STOP_FIELDS]) unique.set(fieldKey(f.path), f);
  return [...unique.values()];
}

function readValue(raw: Obj, f: FieldDef): FormValue {
  let v = at(raw, f.path);
  // `restart: on-failure` is the short form of {policy: on-failure}; `build: ./x` of {context: ./x}.
  if (f.path[0] === 'restart' && f.path[1] === 'policy' && typeof raw.restart === 'string') v = raw.restart;
  if (f.path[1] === 'build' && f.path[2] === 'context') {
    const b = at(raw, ['target', 'build']);
    if (typeof b === 'string') v = b;
  }
  switch (f.kind) {
    case 'list':
      return Array.isArray(v) ? v.map((x) => (isScalar(x) ? String(x) : JSON.stringify(x))) : [];
    case 'env':
      return isObj(v) ? Object.entries(v).map(([k, x]): [string, string] => [k, isScalar(x) ? String(x) : x === null ? '' : JSON.stringify(x)]) : [];
    case 'command':
      return Array.isArray(v) ? joinArgs(v.map(String)) : isScalar(v) ? String(v) : '';
    default:
      return isScalar(v) ? String(v) : '';
  }
}

export function formFromRaw(name: string, raw: RawService, dependencies: readonly string[]): InspectorForm {
  const r = effectiveRaw(raw);
  const values: Record<string, FormValue> = {};
  for (const f of allFields(targetTypeOf(raw))) values[fieldKey(f.path)] = readValue(r, f);
  return { name, health: healthOf(r), values, dependencies: [...dependencies] };
}

/** The fields shown for the form's current choices. */
export function visibleFields(type: TargetType | null, health: HealthChoice): { target: FieldDef[]; health: FieldDef[]; restart: FieldDef[]; stop: FieldDef[] } {
  return {
    target: type ? [...TARGET_FIELDS[type], ...(type === 'Docker' ? BUILD_FIELDS : [])] : [],
    health: health === 'none' ? [] : HEALTH_FIELDS[health],
    restart: RESTART_FIELDS,
    stop: STOP_FIELDS,
  };
}

const DIGITS = /^\d+$/;

/** A field's form value as the YAML (JSON) value to write; undefined removes the field. */
export function valueOf(f: FieldDef, v: FormValue): unknown {
  if (f.kind === 'list') {
    const items = (v as string[]).map((x) => x.trim()).filter((x) => x !== '');
    if (items.length === 0) return undefined;
    return f.items === 'number' ? items.map((x) => (DIGITS.test(x) ? Number(x) : x)) : items;
  }
  if (f.kind === 'env') {
    const rows = (v as Array<[string, string]>).filter(([k]) => k.trim() !== '');
    return rows.length === 0 ? undefined : Object.fromEntries(rows.map(([k, x]) => [k.trim(), x]));
  }
  const text = (v as string).trim();
  if (text === '') return f.required ? '' : undefined;
  if (f.as === 'number' && DIGITS.test(text)) return Number(text);
  return text;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface FormEditsInput {
  service: string;
  raw: RawService;
  initial: InspectorForm;
  form: InspectorForm;
}

/** The edits that make the service what the form says; [] when nothing changed. */
export function editsFromForm({ service, raw, initial, form }: FormEditsInput): { ok: true; edits: ConfigEdit[] } | { ok: false; field: string; reason: string } {
  const r = effectiveRaw(raw);
  const type = targetTypeOf(raw);
  const edits: ConfigEdit[] = [];
  const set = (path: FieldPath, value: unknown) => edits.push({ op: 'setField', service, path, value: value === undefined ? null : value });
  const changed = (f: FieldDef) => !same(form.values[fieldKey(f.path)], initial.values[fieldKey(f.path)]);
  const value = (f: FieldDef): { ok: true; v: unknown } | { ok: false; reason: string } => {
    const v = form.values[fieldKey(f.path)];
    if (f.kind === 'command') {
      // A command written as a list stays a list (exec form); a string stays a string (sh -c).
      if (Array.isArray(at(r, f.path))) {
        const split = splitArgs(v as string);
        return split.ok ? { ok: true, v: split.args.length ? split.args : undefined } : { ok: false, reason: split.reason };
      }
    }
    return { ok: true, v: valueOf(f, v) };
  };

  const fields = visibleFields(type, form.health);
  for (const f of fields.target) {
    if (f.path[1] === 'build' || !changed(f)) continue;
    if (f.kind === 'env') {
      envEdits(r, f, form.values[fieldKey(f.path)] as Array<[string, string]>, set);
      continue;
    }
    set(f.path, valueOf(f, form.values[fieldKey(f.path)]));
  }
  if (type === 'Docker' && BUILD_FIELDS.some(changed)) {
    const context = valueOf(BUILD_FIELDS[0], form.values[fieldKey(BUILD_FIELDS[0].path)]);
    const dockerfile = valueOf(BUILD_FIELDS[1], form.values[fieldKey(BUILD_FIELDS[1].path)]);
    set(['target', 'build'], dockerfile === undefined ? context : { context: context ?? '.', dockerfile });
  }

  // The health check: a new type is written whole (the old type's keys would be unknown fields).
  if (form.health !== initial.health) {
    if (form.health === 'none') set(['health_check'], undefined);
    else {
      const hc: Obj = { type: form.health };
      for (const f of HEALTH_FIELDS[form.health]) {
        const v = value(f);
        if (!v.ok) return { ok: false, field: fieldKey(f.path), reason: v.reason };
        if (v.v !== undefined) hc[f.path[1] as string] = v.v;
      }
      set(['health_check'], hc);
    }
  } else {
    for (const f of fields.health) {
      if (!changed(f)) continue;
      const v = value(f);
      if (!v.ok) return { ok: false, field: fieldKey(f.path), reason: v.reason };
      set(f.path, v.v);
    }
  }

  // Restart: the short form `restart: always` stays short while only the policy changes.
  const restartChanged = RESTART_FIELDS.filter(changed);
  if (restartChanged.length > 0) {
    const short = typeof raw.restart === 'string' || raw.restart === undefined;
    const onlyPolicy = restartChanged.every((f) => f.path[1] === 'policy');
    if (short && onlyPolicy) set(['restart'], valueOf(RESTART_FIELDS[0], form.values['restart.policy']));
    else if (short) {
      const m: Obj = {};
      for (const f of RESTART_FIELDS) {
        const v = valueOf(f, form.values[fieldKey(f.path)]);
        if (v !== undefined) m[f.path[1] as string] = v;
      }
      set(['restart'], Object.keys(m).length ? { policy: 'no', ...m } : undefined);
    } else for (const f of restartChanged) set(f.path, valueOf(f, form.values[fieldKey(f.path)]));
  }
  for (const f of STOP_FIELDS) if (changed(f)) set(f.path, valueOf(f, form.values[fieldKey(f.path)]));

  const before = new Set(initial.dependencies);
  const after = new Set(form.dependencies);
  for (const d of initial.dependencies) if (!after.has(d)) edits.push({ op: 'removeDependency', service, dependency: d });
  for (const d of form.dependencies) if (!before.has(d)) edits.push({ op: 'addDependency', service, dependency: d });

  // Last, so every edit above still names the service by its old name.
  if (form.name.trim() !== service) edits.push({ op: 'renameService', name: service, to: form.name.trim() });
  return { ok: true, edits };
}

/** Environment rows as per-variable edits (other lines and comments stay), or the whole map
 * when a name cannot be a field path item. */
function envEdits(raw: Obj, f: FieldDef, rows: Array<[string, string]>, set: (path: FieldPath, value: unknown) => void): void {
  const before = at(raw, f.path);
  const old = isObj(before) ? before : {};
  const next = new Map(rows.filter(([k]) => k.trim() !== '').map(([k, v]) => [k.trim(), v]));
  const keys = [...new Set([...Object.keys(old), ...next.keys()])];
  if (!isObj(before) || keys.some((k) => !FIELD_KEY.test(k))) {
    set(f.path, next.size ? Object.fromEntries(next) : undefined);
    return;
  }
  for (const k of Object.keys(old)) if (!next.has(k)) set([...f.path, k], undefined);
  for (const [k, v] of next) if (!Object.hasOwn(old, k) || String(old[k]) !== v) set([...f.path, k], v);
}
