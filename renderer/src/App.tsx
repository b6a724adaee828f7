import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { useController } from './actions/controller-context';
import { fileName } from './actions/document-actions';
import { ContextMenu } from './graph/ContextMenu';
import { GraphView } from './graph/GraphView';
import { useTerminals } from './logs/terminal-context';
import { LogDock } from './logs/LogDock';
import { ConnectionBanner } from './panels/ConnectionBanner';
import { Dialog } from './panels/Dialog';
import { EmptyState } from './panels/EmptyState';
import { ImportDialog } from './panels/ImportDialog';
import { InspectorDock } from './panels/inspector/InspectorDock';
import { MergeDialog } from './panels/MergeDialog';
import { PathDialog } from './panels/PathDialog';
import { PendingBar } from './panels/PendingBar';
import { ProblemsPanel } from './panels/ProblemsPanel';
import { SourcePanel } from './panels/SourcePanel';
import { Toasts } from './panels/Toasts';
import { TrustHostDialog } from './panels/TrustHostDialog';
import { Toolbar } from './panels/Toolbar';
import { TopologyView } from './topology/TopologyView';
import { useConnection, useGraph, useUi } from './stores/stores';

/** Keys typed into a field belong to the field (its own undo, its own text). */
function inEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return Boolean(el?.closest?.('input, textarea, select, [contenteditable="true"], .cm-editor'));
}

export function App() {
  const theme = useUi((s) => s.theme);
  const view = useUi((s) => s.view);
  const sourceOpen = useUi((s) => s.sourceOpen);
  const file = useGraph((s) => s.file);
  const dirty = useGraph((s) => s.dirty);
  const ready = useConnection((s) => s.ready);
  const controller = useController();
  const terminals = useTerminals();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    terminals.setDark(theme === 'dark');
  }, [theme, terminals]);

  // The window title says which file and whether it has unsaved changes (Electron shows it too).
  useEffect(() => {
    document.title = file ? `${dirty ? '● ' : ''}${fileName(file)} — Harness` : 'Harness';
  }, [file, dirty]);

  // Closing the tab with unsaved changes asks first. In Electron the main process asks instead
  // (a beforeunload answer there would silently keep the window open).
  useEffect(() => {
    if (window.harness || !dirty) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // Ctrl/Cmd+S saves, Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) undo and redo the document's edits
  // (Electron's menu shows the same accelerators and leaves the keys to the page).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key === 's') {
        e.preventDefault();
        if (e.shiftKey) controller.stores.ui.getState().setPrompt({ title: 'Save as', action: 'saveAs', initial: controller.stores.graph.getState().file ?? '' });
        else void controller.save();
        return;
      }
      if (key === 'o' && !e.shiftKey) {
        e.preventDefault();
        controller.stores.ui.getState().setPrompt({ title: 'Open services.yaml', action: 'open', initial: controller.stores.graph.getState().file ?? '' });
        return;
      }
      if ((key === 'z' || key === 'y') && !inEditable(e.target) && controller.stores.ui.getState().dialogs.length === 0) {
        e.preventDefault();
        if (key === 'y' || e.shiftKey) void controller.doc.redo();
        else void controller.doc.undo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller]);

  return (
    <div className="app" data-testid="app" data-ready={ready}>
      <Toolbar />
      <ConnectionBanner />
      {file && <PendingBar />}
      <main className={`main-area${file && sourceOpen ? ' with-source' : ''}`}>
        {!ready ? (
          <div className="empty-state"><p className="muted">Connecting…</p></div>
        ) : !file ? (
          <EmptyState />
        ) : view === 'graph' ? (
          <ReactFlowProvider>
            <GraphView />
          </ReactFlowProvider>
        ) : (
          <ReactFlowProvider>
            <TopologyView />
          </ReactFlowProvider>
        )}
        {file && <InspectorDock />}
        {file && sourceOpen && <SourcePanel />}
        <ProblemsPanel />
      </main>
      {file && <LogDock />}
      <ContextMenu />
      <PathDialog />
      <ImportDialog />
      <MergeDialog />
      <Dialog />
      <TrustHostDialog />
      <Toasts />
    </div>
  );
}
