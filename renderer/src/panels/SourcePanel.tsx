// The YAML source of the draft, editable, with the loader's problems inline at their line and
// column. Typing is checked by the core as it goes (`project.validate`, debounced); text that
// parses as YAML becomes the draft (`project.setText`, one undo step per pause in typing), so the
// graph follows and Save writes it through the same atomic save. Text with YAML syntax errors
// stays in the panel (marked) until it parses: the graph keeps the last version that did.
import { useEffect, useRef, useState } from 'react';
import type { ConfigProblem } from '../../../shared/config-types';
import { useController } from '../actions/controller-context';
import type { SourceEditor } from '../source/codemirror';
import { loadCodeMirror } from '../source/source-loader';
import { useGraph, useUi } from '../stores/stores';

const TYPING_MS = 350;

const isSyntaxError = (p: ConfigProblem) => p.severity === 'error' && p.line > 0 && p.message.startsWith('YAML syntax error');

export function SourcePanel() {
  const controller = useController();
  const file = useGraph((s) => s.file);
  const revision = useGraph((s) => s.revision);
  const problems = useGraph((s) => s.problems);
  const close = useUi((s) => s.toggleSource);
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<SourceEditor | null>(null);
  /** The text last pushed to (or read from) the draft: equal to the editor's means "in sync". */
  const synced = useRef<string | null>(null);
  const [status, setStatus] = useState<'loading' | 'synced' | 'typing' | 'syntax' | 'error'>('loading');
  const [local, setLocal] = useState<ConfigProblem[] | null>(null);
  const [stale, setStale] = useState(false);

  // Create the editor once, with the draft's text.
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = async () => {
      if (timer) clearTimeout(timer);
      timer = null;
      const ed = editor.current;
      if (!ed) return;
      const text = ed.text();
      if (text === synced.current) return;
      const r = await controller.doc.validate({ text }).catch(() => null);
      if (!live || !r) return setStatus('error');
      if (ed.text() !== text) return; // typed on meanwhile: the next flush handles it
      if (r.problems.some(isSyntaxError)) {
        setLocal(r.problems);
        ed.setProblems(r.problems);
        setStatus('syntax');
        return;
      }
      synced.current = text;
      setLocal(null);
      await controller.doc.setText(text, 'source');
      if (live) setStatus(ed.text() === synced.current ? 'synced' : 'typing');
    };
    const offFlush = controller.doc.onBeforeSave(flush);
    void Promise.all([loadCodeMirror(), controller.doc.source('draft')]).then(([cm, src]) => {
      if (!live || !host.current) return;
      synced.current = src.text ?? '';
      editor.current = cm.createSourceEditor(host.current, {
        text: src.text ?? '',
        file: controller.stores.graph.getState().file,
        onChange: () => {
          setStatus('typing');
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => void flush(), TYPING_MS);
        },
      });
      editor.current.setProblems(src.problems);
      setStatus('synced');
    }, () => live && setStatus('error'));
    return () => {
      live = false;
      offFlush();
      if (timer) clearTimeout(timer);
      editor.current?.destroy();
      editor.current = null;
    };
  }, [controller]);

  // The draft changed elsewhere (graph, inspector, undo, reload): follow it unless typing.
  useEffect(() => {
    const ed = editor.current;
    if (!ed) return;
    let live = true;
    void controller.doc.source('draft').then((src) => {
      if (!live || src.text === null) return;
      if (src.text === synced.current && ed.text() === src.text) return;
      if (ed.text() !== synced.current) {
        // Unsent typing and a new draft: do not overwrite either silently.
        setStale(src.text !== ed.text());
        return;
      }
      synced.current = src.text;
      ed.setText(src.text);
      setStale(false);
    });
    return () => {
      live = false;
    };
  }, [revision, controller]);

  // Problems of the draft, when the editor shows the draft.
  useEffect(() => {
    const ed = editor.current;
    if (ed && local === null) ed.setProblems(problems);
  }, [problems, local]);

  const shown = local ?? problems;
  const errors = shown.filter((p) => p.severity === 'error').length;
  const reloadDraft = async () => {
    const src = await controller.doc.source('draft');
    if (src.text === null || !editor.current) return;
    synced.current = src.text;
    editor.current.setText(src.text);
    setLocal(null);
    setStale(false);
    setStatus('synced');
  };

  return (
    <aside className="source-panel" data-testid="source-panel" aria-label="services.yaml source">
      <div className="panel-head">
        <strong>{(file ?? '').split(/[\\/]/).pop()}</strong>
        <span className={`source-status ${errors ? 'bad' : 'ok'}`} data-testid="source-status" data-status={status}>
          {status === 'loading'
            ? 'loading…'
            : status === 'typing'
              ? 'checking…'
              : status === 'syntax'
                ? `YAML syntax error: not applied to the draft yet`
                : status === 'error'
                  ? 'could not reach the core'
                  : errors
                    ? `${errors} problem${errors === 1 ? '' : 's'}`
                    : 'no problems'}
        </span>
        <span className="spacer" />
        <button type="button" data-testid="source-close" aria-label="Close the source panel" title="Close the source panel" onClick={() => close(false)}>
          ×
        </button>
      </div>
      {stale && (
        <div className="source-stale" data-testid="source-stale">
          The draft changed elsewhere while you were typing here.{' '}
          <button type="button" title="Drop the typing here and show the draft as it is now" onClick={() => void reloadDraft()}>
            Show the draft (drop my typing)
          </button>
        </div>
      )}
      <div className="source-host" ref={host} />
    </aside>
  );
}
