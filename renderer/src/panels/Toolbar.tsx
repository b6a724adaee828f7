// Top bar: the File menu, Save (a dot while there are unsaved changes), undo and redo, global
// controls, view, source panel and theme switches, connection state.
import { useEffect, useRef, useState } from 'react';
import { useController } from '../actions/controller-context';
import { useConnection, useGraph, useOffline, useRun, useUi } from '../stores/stores';
import { useProblemCount } from './ProblemsPanel';

function FileMenu() {
  const controller = useController();
  const file = useGraph((s) => s.file);
  const dirty = useGraph((s) => s.dirty);
  const setPrompt = useUi((s) => s.setPrompt);
  const setImportOpen = useUi((s) => s.setImportOpen);
  const offline = useOffline();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !root.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', close);
    };
  }, [open]);
  const item = (label: string, testid: string, run: () => void, opts: { disabled?: boolean; hint?: string } = {}) => (
    <button
      type="button"
      role="menuitem"
      data-testid={`file-${testid}`}
      title={opts.hint ? `${label.replace('…', '')} (${opts.hint})` : label.replace('…', '')}
      disabled={opts.disabled || offline}
      onClick={() => {
        setOpen(false);
        run();
      }}
    >
      <span>{label}</span>
      {opts.hint && <span className="muted">{opts.hint}</span>}
    </button>
  );
  return (
    <div className="menu" ref={root}>
      <button type="button" data-testid="file-menu" aria-haspopup="menu" aria-expanded={open} title="Open, create, import and save files" onClick={() => setOpen(!open)}>
        File ▾
      </button>
      {open && (
        <div className="menu-items" role="menu" data-testid="file-menu-items">
          {item('New…', 'new', () => setPrompt({ title: 'Create a new services.yaml at', action: 'create', initial: '' }))}
          {item('Open…', 'open', () => setPrompt({ title: 'Open services.yaml', action: 'open', initial: file ?? '' }), { hint: 'Ctrl+O' })}
          {item('Import Compose file…', 'import', () => setImportOpen(true))}
          <hr />
          {item('Save', 'save', () => void controller.save(), { disabled: !file, hint: 'Ctrl+S' })}
          {item('Save as…', 'save-as', () => setPrompt({ title: 'Save as', action: 'saveAs', initial: file ?? '' }), { disabled: !file, hint: 'Ctrl+Shift+S' })}
          {item('Revert to saved', 'revert', () => void controller.doc.revert(), { disabled: !dirty })}
        </div>
      )}
    </div>
  );
}

export function Toolbar() {
  const controller = useController();
  const file = useGraph((s) => s.file);
  const dirty = useGraph((s) => s.dirty);
  const { count: problems, errors: problemErrors } = useProblemCount();
  const offline = useOffline();
  const history = useGraph((s) => s.history);
  const conflict = useGraph((s) => s.conflict);
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
  const sourceOpen = useUi((s) => s.sourceOpen);
  const toggleSource = useUi((s) => s.toggleSource);
  const setMergeOpen = useUi((s) => s.setMergeOpen);

  return (
    <header className="toolbar">
      <span className="brand">Harness</span>
      <FileMenu />
      <span className="file" title={file ?? ''} data-testid="file-name">
        {file ? file.split(/[\\/]/).slice(-2).join('/') : 'no file'}
        {dirty && <span className="dirty" title="unsaved changes"> ●</span>}
      </span>
      <button type="button" data-testid="save" className={dirty ? 'save dirty-save' : 'save'} disabled={!file || offline} title={dirty ? 'Save (unsaved changes)' : 'Save'} onClick={() => void controller.save()}>
        Save{dirty && <span className="save-dot" data-testid="save-dot" aria-label="unsaved changes" />}
      </button>
      <button type="button" data-testid="undo" disabled={!history.canUndo || offline} title={history.undo ? `Undo ${history.undo} (Ctrl+Z)` : 'Undo (Ctrl+Z)'} aria-label="Undo" onClick={() => void controller.doc.undo()}>
        ↶
      </button>
      <button type="button" data-testid="redo" disabled={!history.canRedo || offline} title={history.redo ? `Redo ${history.redo} (Ctrl+Shift+Z)` : 'Redo (Ctrl+Shift+Z)'} aria-label="Redo" onClick={() => void controller.doc.redo()}>
        ↷
      </button>
      {conflict && (
        <button type="button" className="conflict-chip" data-testid="conflict-chip" disabled={offline} title="The file changed on disk while you had unsaved changes" onClick={() => setMergeOpen(true)}>
          ⚠ <span className="wide-only">changed </span>on disk
        </button>
      )}
      <span className="sep" />
      <button type="button" data-testid="start-all" disabled={!file || offline} title="Start every service, in dependency order" onClick={() => void controller.start()}>▶ Start all</button>
      <button type="button" data-testid="stop-all" disabled={!file || offline} title="Stop every service, dependents first" onClick={() => void controller.stop()}>■ Stop all</button>
      <span className="counts" data-testid="ready-count" title="running or healthy / total">{offline ? counts.replace(/^\d+/, '?') : counts}</span>
      <span className="sep" />
      <div className="segmented" role="tablist" aria-label="View">
        <button type="button" role="tab" aria-selected={view === 'graph'} data-testid="view-graph" title="The services and their dependencies" onClick={() => setView('graph')}>Graph</button>
        <button type="button" role="tab" aria-selected={view === 'topology'} data-testid="view-topology" title="Where each service runs and the address each dependent uses" onClick={() => setView('topology')}>Topology</button>
      </div>
      <button type="button" data-testid="source-toggle" aria-pressed={sourceOpen} className={sourceOpen ? 'active' : ''} disabled={!file} title="The services.yaml text, with its problems" onClick={() => toggleSource()}>
        Source
      </button>
      <button type="button" data-testid="problems-toggle" className={problemErrors > 0 ? 'has-problems' : problems > 0 ? 'has-warnings' : ''} title="Problems in the file and while running" onClick={() => toggleProblems()}>
        Problems {problems}
      </button>
      <span className="spacer" />
      <button type="button" data-testid="theme-toggle" aria-label={theme === 'dark' ? 'Light theme' : 'Dark theme'} title={theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'} onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
        {theme === 'dark' ? '☀' : '☾'}
      </button>
      <span className={`link link-${link}`} data-testid="connection" data-status={link} title={linkDetail}>
        ● <span className={link === 'open' ? 'wide-only' : ''}>{link === 'open' ? 'connected' : linkDetail}</span>
      </span>
    </header>
  );
}
