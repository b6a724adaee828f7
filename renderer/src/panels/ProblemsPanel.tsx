// Every problem in one list: the file's problems, what went wrong at runtime (start errors, crash
// loops, failing health, image problems, edges that cannot connect), each with its service and a
// link to its log, and the messages toasts announced in one line.
import { pathCovers } from '../../../shared/field-path';
import { useGraph, useNetwork, useRun, useUi } from '../stores/stores';
import { runtimeProblems } from './runtime-problems';

/** Problems in the file plus runtime problems (the toolbar's count), and how many are errors. */
export function useProblemCount(): { count: number; errors: number } {
  const config = useGraph((s) => s.problems);
  const runtime = useRuntimeProblems();
  const errors = config.filter((p) => p.severity === 'error').length + runtime.filter((p) => p.severity === 'error').length;
  return { count: config.length + runtime.length, errors };
}

function useRuntimeProblems() {
  const states = useRun((s) => s.states);
  const failures = useRun((s) => s.progressFailures);
  const edges = useNetwork((s) => s.topology?.edges);
  return runtimeProblems(states, failures, edges);
}

const KIND_LABEL = { start: 'start', 'crash-loop': 'crash loop', health: 'health', image: 'image', exit: 'exit', edge: 'address' } as const;

export function ProblemsPanel() {
  const open = useUi((s) => s.problemsOpen);
  const toggle = useUi((s) => s.toggleProblems);
  const openLogs = useUi((s) => s.openLogs);
  const notices = useUi((s) => s.notices);
  const clearNotices = useUi((s) => s.clearNotices);
  const problems = useGraph((s) => s.problems);
  const views = useGraph((s) => s.views);
  // A problem of a service selects it: the inspector shows the problem at its field.
  const selectOnly = useGraph((s) => s.selectOnly);
  const runtime = useRuntimeProblems();
  if (!open) return null;
  return (
    <aside className="problems-panel" data-testid="problems-panel" aria-label="Problems">
      <div className="panel-head">
        <strong>Problems</strong>
        <button type="button" aria-label="Close the Problems panel" title="Close the Problems panel" onClick={() => toggle(false)}>×</button>
      </div>
      {problems.length === 0 && runtime.length === 0 && <p className="muted">No problems.</p>}
      {problems.length > 0 && <h4>In the file</h4>}
      <ul>
        {problems.map((p, i) => {
          const service = views.find((v) => pathCovers(v.path, p.path))?.name;
          return (
            <li key={`c${i}`} className={`problem ${p.severity}${service ? ' clickable' : ''}`} title={service ? `Select ${service}` : undefined} onClick={service ? () => selectOnly(service) : undefined}>
              <code>{p.file.split(/[\\/]/).pop()}:{p.line}:{p.column}</code> <span className="path">{p.path}</span> {p.message}
            </li>
          );
        })}
      </ul>
      {runtime.length > 0 && <h4>While running</h4>}
      <ul data-testid="runtime-problems">
        {runtime.map((p, i) => (
          <li key={`r${i}`} className={`problem runtime-problem ${p.severity}`} data-testid={`problem-${p.service}`} data-kind={p.kind}>
            <div className="problem-line">
              <strong className="clickable-name" title={`Select ${p.service}`} onClick={() => selectOnly(p.service)}>{p.service}</strong>
              <span className="problem-kind">{KIND_LABEL[p.kind]}</span>
              <button type="button" className="link-button" data-testid={`problem-log-${p.service}`} aria-label={`Open the log of ${p.service}`} title={`Open the log of ${p.service}`} onClick={() => openLogs(p.service)}>
                open log
              </button>
            </div>
            <div className="problem-message">{p.message}</div>
          </li>
        ))}
      </ul>
      {notices.length > 0 && (
        <>
          <div className="panel-subhead">
            <h4>Messages</h4>
            <button type="button" className="link-button" title="Forget these messages" onClick={clearNotices}>clear</button>
          </div>
          <ul data-testid="notices">
            {notices.map((n) => (
              <li key={n.id} className="notice" data-testid="notice">
                <span className="muted">{new Date(n.at).toLocaleTimeString()}</span> {n.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}
