// Side panel for the one selected service: its name, every field of its target type, the health
// check with its type's fields, restart and stop settings, and its dependencies. The form shows
// the service as written in the file (the snapshot's raw form: `${VAR}` references and relative
// paths as typed). While typing, the candidate edits are checked by the core against a copy of
// the draft (`project.validate`, debounced) and the loader's problems appear at the fields their
// paths name. Apply sends one `project.edit`: one undo step, the rest of the entry untouched.
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { ConfigEdit, RawService } from '../../../../shared/api';
import type { ConfigProblem } from '../../../../shared/config-types';
import { fieldPathText, pathCovers } from '../../../../shared/field-path';
import { dependencyClosure } from '../../../../shared/graph/closures';
import {
  editsFromForm,
  fieldKey,
  formFromRaw,
  HEALTH_CHOICES,
  targetTypeOf,
  visibleFields,
  type FieldDef,
  type HealthChoice,
  type InspectorForm,
} from '../../../../shared/graph/inspector-fields';
import type { ServiceView } from '../../../../shared/graph/service-views';
import { useController } from '../../actions/controller-context';
import { useGraph, useOffline, useSoleSelection } from '../../stores/stores';
import { Field, FieldProblems } from './fields';

export function Inspector() {
  const selected = useSoleSelection();
  const view = useGraph((s) => (selected ? s.views.find((v) => v.name === selected) : undefined));
  const controller = useController();
  const subscribe = useCallback((onChange: () => void) => controller.onRawChange(onChange), [controller]);
  const raw = useSyncExternalStore(subscribe, () => (selected ? controller.rawService(selected) : undefined));
  if (!selected || !view) return null;
  if (!raw) {
    return (
      <aside className="inspector" data-testid="inspector" aria-label={`Service ${selected}`}>
        <div className="panel-head">
          <strong data-testid="inspector-name-label">{selected}</strong>
        </div>
        <p className="muted" data-testid="inspector-no-raw">
          This entry is not written as a map (an alias or an empty value), so it cannot be edited field by field. Edit it in the source panel.
        </p>
      </aside>
    );
  }
  // A new raw form (after an edit, an undo or a reload) resets the form.
  return <InspectorPanel key={`${view.name}:${JSON.stringify(raw)}:${view.dependencies.join(',')}`} view={view} raw={raw} />;
}

const TIMING = new Set(['interval', 'start_interval', 'timeout', 'retries', 'start_period']);
const isTiming = (f: FieldDef) => f.path[0] === 'health_check' && TIMING.has(String(f.path[1]));

type Check = { problems: ConfigProblem[]; refused?: string; pending: boolean };

function useCandidateCheck(view: ServiceView, edits: ConfigEdit[] | null, problems: ConfigProblem[]): Check {
  const controller = useController();
  const [check, setCheck] = useState<Check>({ problems, pending: false });
  const key = edits ? JSON.stringify(edits) : null;
  useEffect(() => {
    if (!edits || edits.length === 0) {
      setCheck({ problems, pending: false });
      return;
    }
    let live = true;
    setCheck((c) => ({ ...c, pending: true }));
    const timer = setTimeout(() => {
      controller.doc
        .validate({ edits })
        .then((r) => live && setCheck({ problems: r.problems, refused: r.refused, pending: false }))
        .catch((err: unknown) => live && setCheck({ problems, refused: err instanceof Error ? err.message : String(err), pending: false }));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // `key` stands for the edits' content (a new array every render).
  }, [key, controller, view.name]);
  return check;
}

function InspectorPanel({ view, raw }: { view: ServiceView; raw: RawService }) {
  const controller = useController();
  const deps = useGraph((s) => s.deps);
  // Without the core nothing can be checked or applied: the form is read-only until it is back.
  const offline = useOffline();
  const initial = useMemo(() => formFromRaw(view.name, raw, view.dependencies), [view, raw]);
  const [form, setForm] = useState<InspectorForm>(initial);
  const [busy, setBusy] = useState(false);
  const type = targetTypeOf(raw);
  const built = editsFromForm({ service: view.name, raw, initial, form });
  const edits = built.ok ? built.edits : null;
  const changed = edits !== null && edits.length > 0;
  const check = useCandidateCheck(view, edits, view.problems);

  const newName = form.name.trim();
  // Map form: the entry's path is its name; list form: its place in the list.
  const entryPath = view.path.startsWith('services.') && newName !== view.name ? `services.${newName}` : view.path;
  const mine = check.problems.filter((p) => pathCovers(entryPath, p.path));
  const fields = visibleFields(type, form.health);
  const shownFields = [...fields.target, ...fields.health, ...fields.restart, ...fields.stop];
  const atField = (f: FieldDef) => mine.filter((p) => pathCovers(fieldPathText(entryPath, f.path), p.path));
  const nameProblems = mine.filter((p) => p.path === `${entryPath}.name` || (p.path === entryPath && /name|prefix/.test(p.message)));
  const healthTypeProblems = mine.filter((p) => p.path === `${entryPath}.health_check` || p.path === `${entryPath}.health_check.type`);
  const depProblems = mine.filter((p) => pathCovers(`${entryPath}.dependencies`, p.path));
  const claimed = new Set([...shownFields.flatMap(atField), ...nameProblems, ...healthTypeProblems, ...depProblems]);
  const other = mine.filter((p) => !claimed.has(p));
  const renameRefused = check.refused && newName !== view.name ? check.refused : undefined;

  const setValue = (f: FieldDef, v: InspectorForm['values'][string]) => setForm((cur) => ({ ...cur, values: { ...cur.values, [fieldKey(f.path)]: v } }));

  const apply = async () => {
    if (!edits || !changed) return;
    setBusy(true);
    try {
      const all = [...edits];
      if (newName !== view.name && !view.config?.ui?.position) {
        // Keep the node where it is: its position is stored in the entry, which the rename keeps.
        const node = controller.stores.graph.getState().nodes.find((n) => n.id === view.name);
        if (node) all.unshift({ op: 'setPosition', service: view.name, x: Math.round(node.position.x), y: Math.round(node.position.y) });
      }
      const ok = await controller.edit(all, newName !== view.name ? `Rename ${view.name} to ${newName}` : `Edit ${view.name}`);
      if (ok && newName !== view.name) {
        controller.stores.graph.getState().selectOnly(newName);
      }
    } finally {
      setBusy(false);
    }
  };

  // Candidates for a new dependency: not itself, not already one, and no cycle.
  const candidates = [...deps.keys()].filter((n) => n !== view.name && !form.dependencies.includes(n) && !dependencyClosure(n, deps).includes(view.name));

  return (
    <aside className="inspector" data-testid="inspector" aria-label={`Service ${view.name}`}>
      <form
        className="inspector-form nokey"
        onSubmit={(e) => {
          e.preventDefault();
          void apply();
        }}
      >
        <fieldset className="plain-fieldset" disabled={offline}>
        <div className="inspector-head">
          <div className={`field${nameProblems.length || renameRefused ? ' has-error' : ''}`}>
            <label htmlFor="f-name">Name</label>
            <input id="f-name" data-testid="inspector-name" title="The service's name (renaming updates its dependents)" value={form.name} spellCheck={false} onChange={(e) => setForm({ ...form, name: e.target.value })} />
            {renameRefused && <span className="field-problem" data-testid="problems-name">{renameRefused}</span>}
            <FieldProblems problems={nameProblems} testid="name-loader" />
          </div>
          <span className="inspector-type muted" data-testid="inspector-type">{type ?? 'unknown type'}</span>
        </div>

        <Section title="Target">
          {type === null && <p className="error small">The target has no valid type: fix it in the source panel.</p>}
          {fields.target.map((f) => (
            <Field key={fieldKey(f.path)} def={f} id={fieldKey(f.path)} value={form.values[fieldKey(f.path)]} problems={atField(f)} onChange={(v) => setValue(f, v)} />
          ))}
        </Section>

        <Section title="Health check">
          <div className={`field${healthTypeProblems.length ? ' has-error' : ''}`}>
            <label htmlFor="f-health">Type</label>
            <select id="f-health" data-testid="inspector-health_check.type" title="How Harness decides the service is ready" value={form.health} onChange={(e) => setForm({ ...form, health: e.target.value as HealthChoice })}>
              {HEALTH_CHOICES.map((c) => (
                <option key={c} value={c}>
                  {c === 'none' ? 'none (ready once running)' : c}
                </option>
              ))}
            </select>
            <FieldProblems problems={healthTypeProblems} testid="health_check.type" />
          </div>
          {fields.health.filter((f) => !isTiming(f)).map((f) => (
            <Field key={fieldKey(f.path)} def={f} id={fieldKey(f.path)} value={form.values[fieldKey(f.path)]} problems={atField(f)} onChange={(v) => setValue(f, v)} />
          ))}
          {form.health !== 'none' && (
            <div className="field-grid">
              {fields.health.filter(isTiming).map((f) => (
                <Field key={fieldKey(f.path)} def={f} id={fieldKey(f.path)} value={form.values[fieldKey(f.path)]} problems={atField(f)} onChange={(v) => setValue(f, v)} />
              ))}
            </div>
          )}
        </Section>

        <Section title="Restart and stop">
          <div className="field-grid">
            {[...fields.restart, ...fields.stop].map((f) => (
              <Field key={fieldKey(f.path)} def={f} id={fieldKey(f.path)} value={form.values[fieldKey(f.path)]} problems={atField(f)} onChange={(v) => setValue(f, v)} />
            ))}
          </div>
        </Section>

        <Section title="Dependencies">
          {form.dependencies.length === 0 && <p className="muted small">None: it starts without waiting for others.</p>}
          <ul className="inspector-deps" data-testid="inspector-deps">
            {form.dependencies.map((d) => (
              <li key={d}>
                <span>{d}</span>
                <button type="button" aria-label={`Remove the dependency on ${d}`} title={`${view.name} no longer depends on ${d}`} data-testid={`inspector-remove-dep-${d}`} onClick={() => setForm({ ...form, dependencies: form.dependencies.filter((x) => x !== d) })}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          <select
            data-testid="inspector-add-dep"
            aria-label="Add a dependency"
            title="Add a dependency (only services that would not close a cycle)"
            value=""
            disabled={candidates.length === 0}
            onChange={(e) => e.target.value && setForm({ ...form, dependencies: [...form.dependencies, e.target.value] })}
          >
            <option value="">{candidates.length ? 'Add a dependency…' : 'No other service to depend on'}</option>
            {candidates.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          <FieldProblems problems={depProblems} testid="dependencies" />
        </Section>

        {(other.length > 0 || (check.refused && !renameRefused)) && (
          <Section title="Other problems">
            {check.refused && !renameRefused && <p className="field-problem">{check.refused}</p>}
            <FieldProblems problems={other} testid="other" />
          </Section>
        )}

        {!built.ok && (
          <p className="error" data-testid="inspector-invalid">
            {built.reason}
          </p>
        )}
        <div className="inspector-actions">
          <span className="muted small" data-testid="inspector-status">
            {check.pending ? 'checking…' : mine.some((p) => p.severity === 'error') ? `${mine.filter((p) => p.severity === 'error').length} problem(s)` : changed ? 'no problems' : ''}
          </span>
          <button type="button" data-testid="inspector-revert" title="Put the fields back as the file has them" disabled={!changed || busy} onClick={() => setForm(initial)}>
            Revert
          </button>
          <button type="submit" className="primary" data-testid="inspector-apply" title="Apply the changed fields to the draft (one undo step)" disabled={!changed || busy || Boolean(renameRefused)}>
            Apply
          </button>
        </div>
        </fieldset>
      </form>
    </aside>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="inspector-section">
      <h4>{title}</h4>
      {children}
    </section>
  );
}
