// Side panel for the one selected service: its target's fields, restart policy and dependencies,
// editable, with the core's validation problems for it. Apply sends one `updateService`; the
// core validates, and whatever it finds wrong comes back in the snapshot's problems (the graph
// keeps the last valid config meanwhile), listed here under the fields.
import { useMemo, useState, type FormEvent } from 'react';
import type { ConfigProblem, RestartPolicyName, ServiceConfig } from '../../../shared/config-types';
import { joinArgs, problemsForService, serviceToRaw, splitArgs } from '../../../shared/graph';
import { useController } from '../actions/controller-context';
import { useGraph } from '../stores/stores';

type FieldKey = 'binary' | 'args' | 'image' | 'host' | 'user' | 'package' | 'ports';

const FIELDS: Record<ServiceConfig['target']['type'], FieldKey[]> = {
  Process: ['binary', 'args', 'ports'],
  Docker: ['image', 'ports'],
  RemoteLan: ['host', 'user', 'binary', 'args', 'ports'],
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
};

type Form = Record<FieldKey, string> & { restart: RestartPolicyName };

function formOf(c: ServiceConfig): Form {
  const t = c.target as unknown as Record<string, unknown>;
  const str = (k: string) => (typeof t[k] === 'string' ? (t[k] as string) : '');
  return {
    binary: str('binary'),
    args: Array.isArray(t.args) ? joinArgs(t.args as string[]) : '',
    image: str('image'),
    host: str('host'),
    user: str('user'),
    package: str('package'),
    ports: Array.isArray(t.ports) ? (t.ports as unknown[]).join(', ') : '',
    restart: c.restart.policy,
  };
}

/** The raw service with the form applied, or the reason the form cannot be sent. */
function rawOf(c: ServiceConfig, form: Form): { ok: true; raw: Record<string, unknown> } | { ok: false; reason: string } {
  const raw = serviceToRaw(c);
  const target = { ...(raw.target as Record<string, unknown>) };
  for (const key of FIELDS[c.target.type]) {
    if (key === 'args') {
      const r = splitArgs(form.args);
      if (!r.ok) return { ok: false, reason: `Arguments: ${r.reason}` };
      target.args = r.args;
    } else if (key === 'ports') {
      // Numbers where they are numbers; anything else goes as typed and the core says what is wrong.
      target.ports = form.ports.split(',').map((p) => p.trim()).filter((p) => p !== '').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    } else {
      target[key] = form[key].trim();
    }
  }
  const restart = { ...(raw.restart as Record<string, unknown>), policy: form.restart };
  return { ok: true, raw: { ...raw, target, restart } };
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
  if (!selected) return null;
  const index = configs.findIndex((c) => c.name === selected);
  if (index < 0) return null;
  const config = configs[index];
  // A new config (after an edit or a reload) resets the form.
  return <InspectorForm key={`${selected}:${JSON.stringify(config)}`} config={config} problems={problemsForService(problems, selected, index)} />;
}

function InspectorForm({ config, problems }: { config: ServiceConfig; problems: ConfigProblem[] }) {
  const controller = useController();
  const initial = useMemo(() => formOf(config), [config]);
  const [form, setForm] = useState(initial);
  const [busy, setBusy] = useState(false);
  const name = config.name;
  const changed = JSON.stringify(form) !== JSON.stringify(initial);
  const built = rawOf(config, form);

  const apply = async (e: FormEvent) => {
    e.preventDefault();
    if (!built.ok || !changed) return;
    setBusy(true);
    try {
      await controller.edit([{ op: 'updateService', name, service: built.raw }]);
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
        <p className="muted small">
          Apply rewrites this service's entry in services.yaml: comments inside it are dropped and <code>{'${VAR}'}</code> references are written as their current values. The rest of the file is kept as it is.
        </p>
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
