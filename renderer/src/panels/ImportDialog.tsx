// File > Import: a Compose file in, a services.yaml out, then the list of what could not be
// converted (never dropped silently) and an offer to open the result.
import { useState, type FormEvent } from 'react';
import { HarnessError } from '../../../shared/errors';
import { useController } from '../actions/controller-context';
import { importCompose, type ImportResult } from '../actions/import-action';
import { useUi } from '../stores/stores';

function defaultTarget(source: string): string {
  const dir = source.includes('/') ? source.slice(0, source.lastIndexOf('/') + 1) : '';
  return `${dir}services.yaml`;
}

export function ImportDialog() {
  const open = useUi((s) => s.importOpen);
  if (!open) return null;
  return <ImportBody />;
}

function ImportBody() {
  const controller = useController();
  const setOpen = useUi((s) => s.setImportOpen);
  const [source, setSource] = useState('');
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!source.trim()) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await importCompose(controller.client, source.trim(), (target.trim() || defaultTarget(source.trim()))));
    } catch (err) {
      const unknown = err instanceof HarnessError && err.code === 'UNKNOWN_METHOD';
      setError(unknown ? 'This Harness core cannot import Compose files (it has no project.import method).' : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop" onMouseDown={() => !busy && setOpen(false)}>
      <form className="modal dialog" data-testid="import-dialog" onMouseDown={(e) => e.stopPropagation()} onSubmit={(e) => void submit(e)}>
        <h3 className="dialog-title">Import a Docker Compose file</h3>
        {!result ? (
          <>
            <label className="dialog-input">
              <span>Compose file</span>
              <input autoFocus className="nokey" data-testid="import-source" title="The docker-compose.yml to convert" value={source} placeholder="/path/to/docker-compose.yml" onChange={(e) => setSource(e.target.value)} />
            </label>
            <label className="dialog-input">
              <span>Write services.yaml to</span>
              <input className="nokey" data-testid="import-target" title="Where the new services.yaml goes" value={target} placeholder={source ? defaultTarget(source) : 'next to the Compose file'} onChange={(e) => setTarget(e.target.value)} />
            </label>
            {error && <p className="error" data-testid="import-error">{error}</p>}
            <div className="modal-actions">
              <button type="button" title="Cancel" onClick={() => setOpen(false)}>Cancel</button>
              <button type="submit" className="primary" data-testid="import-submit" title="Convert the Compose file" disabled={busy || !source.trim()}>
                {busy ? 'Importing…' : 'Import'}
              </button>
            </div>
          </>
        ) : (
          <>
            <p className="dialog-message">Wrote {result.file}.</p>
            {result.losses.length === 0 ? (
              <p className="muted">Everything was converted.</p>
            ) : (
              <>
                <p className="dialog-message">Not converted ({result.losses.length}):</p>
                <ul className="dialog-items" data-testid="import-losses">
                  {result.losses.map((l, i) => (
                    <li key={i}>{l}</li>
                  ))}
                </ul>
              </>
            )}
            <div className="modal-actions">
              <button type="button" title="Close" onClick={() => setOpen(false)}>Close</button>
              <button
                type="button"
                className="primary"
                data-testid="import-open"
                title="Open the new services.yaml"
                onClick={() => {
                  setOpen(false);
                  void controller.open(result.file);
                }}
              >
                Open it
              </button>
            </div>
          </>
        )}
      </form>
    </div>
  );
}
