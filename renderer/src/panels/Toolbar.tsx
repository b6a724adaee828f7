// Top bar: file, global controls, view and theme switches, connection state.
import { useController } from '../actions/controller-context';
import { useConnection, useGraph, useRun, useUi } from '../stores/stores';

export function Toolbar() {
  const controller = useController();
  const file = useGraph((s) => s.file);
  const dirty = useGraph((s) => s.dirty);
  const problems = useGraph((s) => s.problems.length);
  const counts = useRun((s) => {
    let healthy = 0;
    let total = 0;
    for (const st of Object.values(s.states)) {
      total++;
      if (st.status === 'healthy' || st.status === 'running') healthy++;
    }
    return `${healthy}/${total}`;
  });
  const link = useConnection((s) => s.status);
  const linkDetail = useConnection((s) => s.detail);
  const view = useUi((s) => s.view);
  const setView = useUi((s) => s.setView);
  const theme = useUi((s) => s.theme);
  const setTheme = useUi((s) => s.setTheme);
  const toggleProblems = useUi((s) => s.toggleProblems);
  const setPrompt = useUi((s) => s.setPrompt);

  return (
    <header className="toolbar">
      <span className="brand">Harness</span>
      <span className="file" title={file ?? ''} data-testid="file-name">
        {file ? file.split(/[\\/]/).slice(-2).join('/') : 'no file'}
        {dirty && <span className="dirty" title="unsaved changes"> ●</span>}
      </span>
      <button type="button" onClick={() => setPrompt({ title: 'Open services.yaml', action: 'open', initial: file ?? '' })}>Open…</button>
      <button type="button" data-testid="save" disabled={!file} onClick={() => void controller.save()}>Save</button>
      <span className="sep" />
      <button type="button" data-testid="start-all" disabled={!file} onClick={() => void controller.start()}>▶ Start all</button>
      <button type="button" data-testid="stop-all" disabled={!file} onClick={() => void controller.stop()}>■ Stop all</button>
      <span className="counts" data-testid="ready-count" title="running or healthy / total">{counts}</span>
      <span className="sep" />
      <div className="segmented" role="tablist">
        <button type="button" aria-selected={view === 'graph'} data-testid="view-graph" onClick={() => setView('graph')}>Graph</button>
        <button type="button" aria-selected={view === 'topology'} data-testid="view-topology" onClick={() => setView('topology')}>Network</button>
      </div>
      <button type="button" data-testid="problems-toggle" className={problems > 0 ? 'has-problems' : ''} onClick={() => toggleProblems()}>
        Problems {problems}
      </button>
      <span className="spacer" />
      <button type="button" data-testid="theme-toggle" title="Toggle theme" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
        {theme === 'dark' ? '☀' : '☾'}
      </button>
      <span className={`link link-${link}`} data-testid="connection" data-status={link} title={linkDetail}>
        ● {link === 'open' ? 'connected' : linkDetail}
      </span>
    </header>
  );
}
