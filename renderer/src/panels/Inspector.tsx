// Side panel for the one selected service: its target's fields, restart policy and dependencies,
// editable, with the core's validation problems for it. The form shows the service as written in
// the file (the snapshot's raw form: `${VAR}` references and relative paths as typed), and Apply
// sends one `setField` per changed field, so the rest of the entry (comments, references in other
// fields) stays as written. The core validates; whatever it finds wrong comes back in the
// snapshot's problems (the graph keeps the last valid config meanwhile), listed under the fields.
import { useCallback, useMemo, useState, useSyncExternalStore, type FormEvent } from 'react';
import type { ConfigEdit, FieldPath, RawService } from '../../../shared/api';
import type { ConfigProblem, RestartPolicyName, ServiceConfig } from '../../../shared/config-types';
import { joinArgs, problemsForService, rawAt, serviceToRaw, setFieldEdits, splitArgs } from '../../../shared/graph/inspector-form';
import { useController } from '../actions/controller-context';
import { useGraph } from '../stores/stores';

type FieldKey = 'binary' | 'args' | 'image' | 'host' | 'user' | 'package' | 'ports' | 'port' | 'working_dir' | 'identity_file' | 'tunnel';

/** Left empty, these are removed from the file (their defaults apply). */
const OPTIONAL: ReadonlySet<FieldKey> = new Set(['port', 'working_dir', 'identity_file', 'tunnel']);

const FIELDS: Record<ServiceConfig['target']['type'], FieldKey[]> = {
  Process: ['binary', 'args', 'ports'],
  Docker: ['image', 'ports'],
  RemoteLan: ['host', 'user', 'port', 'binary', 'args', 'working_dir', 'ports', 'identity_file', 'tunnel'],
  Wireguard: ['host', 'user', 'package', 'ports'],
};

const LABELS: Record<FieldKey, string> = {
  binary: 'Binary',
  args: 'Arguments',
  image: 'Image',
  host: 'Host',
  user: 'User',
  package: 'Package',
  ports: 'Ports (comma separated)',
  port: 'SSH port (default 22)',
  working_dir: 'Working directory (on the host)',
  identity_file: 'Identity file (private key here)',
  tunnel: 'Tunnel (auto, always, never)',
};

type Form = Record<FieldKey, string> & { restart: RestartPolicyName };

const isScalar = (v: unknown): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The raw form when field-level edits can use it: without `<<` merge keys where the inspector's
 * fields live (a field set in place there would shadow the merged map rather than edit it).
 */
function usableRaw(raw: RawService | undefined): RawService | undefined {
  if (!raw || !isObject(raw.target)) return undefined;
  for (const m of [raw, raw.target, raw.restart]) if (isObject(m) && Object.hasOwn(m, '<<')) return undefined;
  return raw;
}

/** A field's text from a service in YAML (JSON) form, or undefined when it is not in a shape the
 * form shows (then the loaded value is shown). */
function fieldText(raw: Record<string, unknown>, key: FieldKey): string | undefined {
  const v = rawAt(raw, ['target', key]);
  if (key === 'args' || key === 'ports') {
    if (!Array.isArray(v) || !v.every(isScalar)) return undefined;
    return key === 'args' ? joinArgs(v.map(String)) : v.join(', ');
  }
  return isScalar(v) ? String(v) : undefined;
}

function restartText(raw: Record<string, unknown>): RestartPolicyName | undefined {
  const r = raw.restart;
  const p = isObject(r) ? r.policy : r;
  return p === 'no' || p === 'on-failure' || p === 'always' ? p : undefined;
}

function formOf(c: ServiceConfig, raw: RawService | undefined): Form {
  const loaded = serviceToRaw(c);
  const text = (k: FieldKey) => (raw ? fieldText(raw, k) : undefined) ?? fieldText(loaded, k) ?? '';
  return {
    binary: text('binary'),
    args: text('args'),
    image: text('image'),
    host: text('host'),
    user: text('user'),
    package: text('package'),
    ports: text('ports'),
    port: text('port'),
    working_dir: text('working_dir'),
    identity_file: text('identity_file'),
    tunnel: text('tunnel'),
    restart: (raw ? restartText(raw) : undefined) ?? c.restart.policy,
  };
}

/** A field's value from its text, or the reason it cannot be sent. */
function fieldValue(key: FieldKey, text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (key === 'args') {
    const r = splitArgs(text);
    return r.ok ? { ok: true, value: r.args } : { ok: false, reason: `Arguments: ${r.reason}` };
  }
  if (key === 'ports') {
    // Numbers where they are numbers; anything else (`${VAR}`, "8080:80") goes as typed and the
    // core says what is wrong.
    return { ok: true, value: text.split(',').map((p) => p.trim()).filter((p) => p !== '').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) };
  }
  if (OPTIONAL.has(key) && text.trim() === '') return { ok: true, value: undefined };
  if (key === 'port' && /^\d+$/.test(text.trim())) return { ok: true, value: Number(text.trim()) };
  return { ok: true, value: text.trim() };
}

type Built = { ok: true; edits: ConfigEdit[] } | { ok: false; reason: string };

/** The edits for the fields that changed: `setField`s against the raw form, or (without one) the
 * whole service rewritten as loaded. */
function editsOf(c: ServiceConfig, raw: RawService | undefined, initial: Form, form: Form): Built {
  const fields: Array<{ path: FieldPath; value: unknown }> = [];
  const target = { ...(serviceToRaw(c).target as Record<string, unknown>) };
  for (const key of FIELDS[c.target.type]) {
    const v = fieldValue(key, form[key]);
    if (!v.ok) return v;
    if (v.value === undefined) delete target[key];
    else target[key] = v.value;
    if (form[key] !== initial[key]) fields.push({ path: ['target', key], value: v.value });
  }
  if (!raw) {
    const loaded = serviceToRaw(c);
    return { ok: true, edits: [{ op: 'updateService', name: c.name, service: { ...loaded, target, restart: { ...(loaded.restart as object), policy: form.restart } } }] };
  }
  if (form.restart !== initial.restart) {
    // `restart: on-failure` stays a short form; a map keeps its other settings.
    fields.push({ path: isObject(raw.restart) ? ['restart', 'policy'] : ['restart'], value: form.restart });
  }
  return { ok: true, edits: setFieldEdits(c.name, raw, fields) };
}

export function Inspector() {
  const selected = useGraph((s) => {
    let one: string | null = null;
    for (const n of s.nodes) {
      if (!n.selected) continue;
      if (one !== null) return null;
      one = n.id;
    }
    return one;
  });
  const configs = useGraph((s) => s.configs);
  const problems = useGraph((s) => s.problems);
  const controller = useController();
  const subscribe = useCallback((onChange: () => void) => controller.onRawChange(onChange), [controller]);
  const raw = useSyncExternalStore(subscribe, () => (selected ? controller.rawService(selected) : undefined));
  if (!selected) return null;
  const index = configs.findIndex((c) => c.name === selected);
  if (index < 0) return null;
  const config = configs[index];
  // A new config or raw form (after an edit or a reload) resets the form.
  return (
    <InspectorForm
      key={`${selected}:${JSON.stringify(config)}:${JSON.stringify(raw ?? null)}`}
      config={config}
      raw={usableRaw(raw)}
      problems={problemsForService(problems, selected, index)}
    />
  );
}

function InspectorForm({ config, raw, problems }: { config: ServiceConfig; raw: RawService | undefined; problems: ConfigProblem[] }) {
  const controller = useController();
  const initial = useMemo(() => formOf(config, raw), [config, raw]);
  const [form, setForm] = useState(initial);
  const [busy, setBusy] = useState(false);
  const name = config.name;
  const changed = JSON.stringify(form) !== JSON.stringify(initial);
  const built = editsOf(config, raw, initial, form);

  const apply = async (e: FormEvent) => {
    e.preventDefault();
    if (!built.ok || !changed) return;
    setBusy(true);
    try {
      await controller.edit(built.edits);
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside className="inspector" data-testid="inspector" aria-label={`Service ${name}`}>
      <div className="panel-head">
        <strong data-testid="inspector-name">{name}</strong>
        <span className="muted">{config.target.type}</span>
      </div>
      <form onSubmit={(e) => void apply(e)} className="inspector-form nokey">
        {FIELDS[config.target.type].map((key) => (
          <label key={key}>
            <span>{LABELS[key]}</span>
            <input
              data-testid={`inspector-${key}`}
              value={form[key]}
              spellCheck={false}
              onChange={(e) => setForm({ ...form, [key]: e.target.value })}
            />
          </label>
        ))}
        <label>
          <span>Restart</span>
          <select data-testid="inspector-restart" value={form.restart} onChange={(e) => setForm({ ...form, restart: e.target.value as RestartPolicyName })}>
            <option value="no">no</option>
            <option value="on-failure">on-failure</option>
            <option value="always">always</option>
          </select>
        </label>
        {!built.ok && <p className="error" data-testid="inspector-invalid">{built.reason}</p>}
        <div className="modal-actions">
          <button type="button" disabled={!changed || busy} onClick={() => setForm(initial)}>Revert</button>
          <button type="submit" data-testid="inspector-apply" disabled={!changed || !built.ok || busy}>Apply</button>
        </div>
        {!raw && (
          <p className="muted small" data-testid="inspector-rewrite-note">
            This service's entry cannot be edited field by field (it uses merge keys, or the core sent no raw form): Apply rewrites the whole entry, dropping comments inside it and writing <code>{'${VAR}'}</code> references as their current values.
          </p>
        )}
      </form>
      <h4>Dependencies</h4>
      {config.dependencies.length === 0 && <p className="muted">None. Drag from another node's right handle to this node's left handle to add one.</p>}
      <ul className="inspector-deps">
        {config.dependencies.map((d) => (
          <li key={d}>
            {d}{' '}
            <button type="button" title={`${name} no longer depends on ${d}`} data-testid={`inspector-remove-dep-${d}`} onClick={() => void controller.edit([{ op: 'removeDependency', service: name, dependency: d }])}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <h4>Problems</h4>
      {problems.length === 0 ? (
        <p className="muted" data-testid="inspector-no-problems">No problems.</p>
      ) : (
        <ul className="inspector-problems" data-testid="inspector-problems">
          {problems.map((p, i) => (
            <li key={i} className={`problem ${p.severity}`}>
              <span className="path">{p.path}</span> {p.message} <span className="muted">(line {p.line})</span>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
