// Every problem in one list: config problems from the file and runtime errors on services.
import { pathCovers } from '../../../shared/field-path';
import { useGraph, useRun, useUi } from '../stores/stores';

export function ProblemsPanel() {
  const open = useUi((s) => s.problemsOpen);
  const toggle = useUi((s) => s.toggleProblems);
  const problems = useGraph((s) => s.problems);
  const views = useGraph((s) => s.views);
  // A problem of a service selects it: the inspector shows the problem at its field.
  const selectOnly = useGraph((s) => s.selectOnly);
  const errors = useRun((s) => s.states);
  if (!open) return null;
  const runtime = Object.values(errors).filter((st) => st.error);
  return (
    <aside className="problems-panel" data-testid="problems-panel">
      <div className="panel-head">
        <strong>Problems</strong>
        <button type="button" onClick={() => toggle(false)}>×</button>
      </div>
      {problems.length === 0 && runtime.length === 0 && <p className="muted">No problems.</p>}
      <ul>
        {problems.map((p, i) => {
          const service = views.find((v) => pathCovers(v.path, p.path))?.name;
          return (
            <li key={`c${i}`} className={`problem ${p.severity}${service ? ' clickable' : ''}`} title={service ? `Select ${service}` : undefined} onClick={service ? () => selectOnly(service) : undefined}>
              <code>{p.file.split(/[\\/]/).pop()}:{p.line}:{p.column}</code> <span className="path">{p.path}</span> {p.message}
            </li>
          );
        })}
        {runtime.map((st) => (
          <li key={`r${st.name}`} className="problem error" data-testid={`problem-${st.name}`}>
            <strong>{st.name}</strong> ({st.status}): {st.error}
          </li>
        ))}
      </ul>
    </aside>
  );
}
