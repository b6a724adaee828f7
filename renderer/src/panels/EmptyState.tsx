import { useController } from '../actions/controller-context';
import { useUi } from '../stores/stores';

export function EmptyState() {
  const controller = useController();
  const setPrompt = useUi((s) => s.setPrompt);
  return (
    <div className="empty-state" data-testid="empty-state">
      <h1>Harness</h1>
      <p>Orchestrate local processes, containers and remote hosts from one services.yaml.</p>
      <div className="empty-actions">
        <button type="button" data-testid="empty-open" title="Open a services.yaml (Ctrl+O)" onClick={() => setPrompt({ title: 'Open services.yaml', action: 'open', initial: '' })}>Open a file…</button>
        <button type="button" data-testid="empty-demo" title="Open the bundled demo stack" disabled={!controller.options.demoPath} onClick={() => void controller.openDemo()}>Open the demo</button>
        <button type="button" data-testid="empty-new" title="Create an empty services.yaml" onClick={() => setPrompt({ title: 'Create a new services.yaml at', action: 'create', initial: '' })}>Create new…</button>
      </div>
    </div>
  );
}
