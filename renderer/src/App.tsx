import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { useController } from './actions/controller-context';
import { ContextMenu } from './graph/ContextMenu';
import { GraphView } from './graph/GraphView';
import { useTerminals } from './logs/terminal-context';
import { LogDock } from './logs/LogDock';
import { EmptyState } from './panels/EmptyState';
import { Inspector } from './panels/Inspector';
import { PathDialog } from './panels/PathDialog';
import { ProblemsPanel } from './panels/ProblemsPanel';
import { Toasts } from './panels/Toasts';
import { TrustHostDialog } from './panels/TrustHostDialog';
import { Toolbar } from './panels/Toolbar';
import { TopologyView } from './panels/TopologyView';
import { useConnection, useGraph, useUi } from './stores/stores';

export function App() {
  const theme = useUi((s) => s.theme);
  const view = useUi((s) => s.view);
  const file = useGraph((s) => s.file);
  const ready = useConnection((s) => s.ready);
  const controller = useController();
  const terminals = useTerminals();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    terminals.setDark(theme === 'dark');
  }, [theme, terminals]);

  // Ctrl/Cmd+S saves (Electron's menu accelerator does the same natively).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        if (e.shiftKey) controller.stores.ui.getState().setPrompt({ title: 'Save as', action: 'saveAs', initial: controller.stores.graph.getState().file ?? '' });
        else void controller.save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller]);

  return (
    <div className="app" data-testid="app" data-ready={ready}>
      <Toolbar />
      <main className="main-area">
        {!ready ? (
          <div className="empty-state"><p className="muted">Connecting…</p></div>
        ) : !file ? (
          <EmptyState />
        ) : view === 'graph' ? (
          <ReactFlowProvider>
            <GraphView />
          </ReactFlowProvider>
        ) : (
          <TopologyView />
        )}
        {file && view === 'graph' && <Inspector />}
        <ProblemsPanel />
      </main>
      {file && <LogDock />}
      <ContextMenu />
      <PathDialog />
      <TrustHostDialog />
      <Toasts />
    </div>
  );
}
