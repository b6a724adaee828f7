// The file on disk and the draft side by side (a conflict): the left is what another program
// wrote, the right is mine, editable; the arrows between them copy a change from the left. The
// result replaces the draft and the next save writes it over the file: nothing is lost silently.
import { useEffect, useRef, useState } from 'react';
import { useController } from '../actions/controller-context';
import type { CompareView } from '../source/codemirror';
import { loadCodeMirror } from '../source/source-loader';
import { useGraph, useUi } from '../stores/stores';

export function MergeDialog() {
  const open = useUi((s) => s.mergeOpen);
  if (!open) return null;
  return <MergeBody />;
}

function MergeBody() {
  const controller = useController();
  const setOpen = useUi((s) => s.setMergeOpen);
  const file = useGraph((s) => s.file);
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<CompareView | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'same' | 'error'>('loading');
  const [missing, setMissing] = useState(false);

  useEffect(() => {
    let live = true;
    void Promise.all([loadCodeMirror(), controller.doc.source('disk'), controller.doc.source('draft')]).then(
      ([cm, disk, draft]) => {
        if (!live || !host.current) return;
        setMissing(disk.text === null);
        view.current = cm.createCompareView(host.current, { disk: disk.text ?? '', draft: draft.text ?? '' });
        setState(disk.text === draft.text ? 'same' : 'ready');
      },
      () => live && setState('error'),
    );
    return () => {
      live = false;
      view.current?.destroy();
      view.current = null;
    };
  }, [controller]);

  const keep = async () => {
    const text = view.current?.merged();
    if (text === undefined) return;
    if (await controller.doc.resolveConflict('keep', text)) setOpen(false);
  };
  const reload = async () => {
    if (await controller.doc.resolveConflict('reload')) setOpen(false);
  };
  const name = (file ?? '').split(/[\\/]/).pop();

  return (
    <div className="modal-backdrop">
      <div className="modal merge-dialog" role="dialog" aria-label="Compare with the file on disk" data-testid="merge-dialog">
        <h3 className="dialog-title">{name}: the file on disk and your version</h3>
        <div className="merge-labels">
          <span>On disk (changed by another program){missing ? ': the file is gone' : ''}</span>
          <span>Yours (editable; ⇨ arrows take a change from the left)</span>
        </div>
        <div className="merge-host" ref={host} data-testid="merge-view" data-state={state} />
        {state === 'same' && <p className="muted small">Both versions are the same.</p>}
        {state === 'error' && <p className="error">Could not load both versions.</p>}
        <div className="modal-actions">
          <button type="button" data-testid="merge-cancel" title="Decide later" onClick={() => setOpen(false)}>
            Decide later
          </button>
          {!missing && (
            <button type="button" className="danger" data-testid="merge-take-disk" title="Take the file's version (undo brings mine back)" onClick={() => void reload()}>
              Use the file on disk
            </button>
          )}
          <button type="button" className="primary" data-testid="merge-keep" title="Keep the merged text as the draft" disabled={state === 'loading' || state === 'error'} onClick={() => void keep()}>
            Use my version (right)
          </button>
        </div>
      </div>
    </div>
  );
}
