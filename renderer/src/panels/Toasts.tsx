// Toasts: one line each, gone after a few seconds (ui store), dismissible; an error's whole text is
// in the Problems panel, which the toast opens.
import { useUi } from '../stores/stores';

export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  const dismiss = useUi((s) => s.dismissToast);
  const openProblems = useUi((s) => s.toggleProblems);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} data-testid="toast" role={t.kind === 'error' ? 'alert' : 'status'}>
          <span className="toast-text" title={t.message} onClick={() => dismiss(t.id)}>
            {t.message}
          </span>
          {t.noticed && (
            <button
              type="button"
              className="toast-details"
              data-testid="toast-details"
              title="Show the whole message in the Problems panel"
              onClick={() => {
                openProblems(true);
                dismiss(t.id);
              }}
            >
              details
            </button>
          )}
          <button type="button" className="toast-close" data-testid="toast-close" aria-label="Dismiss" title="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
