// Saved changes that wait for the running services: each changed service can be restarted with
// its saved config alone, or all at once; running services gone from the file are listed (apply
// stops them). Nothing here happens without a click.
import { useController } from '../actions/controller-context';
import { useGraph, useOffline } from '../stores/stores';

export function PendingBar() {
  const controller = useController();
  const changed = useGraph((s) => s.views.filter((v) => v.changed).map((v) => v.name).join('\n'));
  const removed = useGraph((s) => s.pendingRemoval);
  const offline = useOffline();
  const names = changed ? changed.split('\n') : [];
  const savedRemovals = removed.filter((r) => r.saved);
  const draftRemovals = removed.filter((r) => !r.saved);
  if (names.length === 0 && removed.length === 0) return null;
  return (
    <div className="pending-bar" data-testid="pending-bar" role="status">
      {names.length > 0 && (
        <span className="pending-group">
          <strong>Saved, not applied:</strong>
          {names.map((n) => (
            <span key={n} className="pending-item" data-testid={`pending-${n}`}>
              {n}
              <button type="button" data-testid={`apply-${n}`} disabled={offline} title={`Restart ${n} with its saved config`} onClick={() => void controller.doc.applySaved([n])}>
                Apply
              </button>
            </span>
          ))}
        </span>
      )}
      {savedRemovals.length > 0 && (
        <span className="pending-group">
          <strong>Removed from the file, still {savedRemovals.length === 1 ? 'runs' : 'run'}:</strong>
          {savedRemovals.map((r) => (
            <span key={r.state.name} className="pending-item" data-testid={`pending-removed-${r.state.name}`}>
              {r.state.name} <span className="muted">({r.state.status})</span>
              <button type="button" data-testid={`apply-${r.state.name}`} disabled={offline} title={`Stop ${r.state.name}`} onClick={() => void controller.doc.applySaved([r.state.name])}>
                Stop
              </button>
            </span>
          ))}
        </span>
      )}
      {draftRemovals.length > 0 && (
        <span className="pending-group muted" data-testid="pending-unsaved-removals">
          Deleted in the draft, still {draftRemovals.length === 1 ? 'runs' : 'run'} until saved and applied: {draftRemovals.map((r) => r.state.name).join(', ')}
        </span>
      )}
      <span className="spacer" />
      {names.length + savedRemovals.length > 0 && (
        <button type="button" className="primary" data-testid="apply-all" disabled={offline} title="Restart every changed service with its saved config, stop those removed" onClick={() => void controller.doc.applySaved()}>
          Apply all saved changes
        </button>
      )}
    </div>
  );
}
