// The modal question of the ui store (one at a time; others wait in order). With an input, its
// value is checked as it is typed (debounced) and the default button waits for a clean answer.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { OpenDialog } from '../stores/ui-store';
import { useUi } from '../stores/stores';

export function Dialog() {
  const dialog = useUi((s) => s.dialogs[0]);
  if (!dialog) return null;
  return <DialogBody key={dialog.id} dialog={dialog} />;
}

function DialogBody({ dialog }: { dialog: OpenDialog }) {
  const answer = useUi((s) => s.answer);
  const { spec } = dialog;
  const [value, setValue] = useState(spec.input?.value ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const primary = spec.defaultButton ?? spec.buttons.find((b) => b.kind === 'primary')?.value ?? spec.buttons[spec.buttons.length - 1]?.value;

  useEffect(() => {
    // The default name is preselected: typing replaces it.
    input.current?.select();
  }, []);

  useEffect(() => {
    const validate = spec.input?.validate;
    if (!validate) return;
    let live = true;
    setChecking(true);
    const timer = setTimeout(() => {
      void validate(value).then((p) => {
        if (!live) return;
        setProblem(p);
        setChecking(false);
      });
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [value, spec.input]);

  const blocked = spec.input !== undefined && (checking || problem !== null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (primary && !(blocked && primary !== 'cancel')) answer(dialog.id, { button: primary, input: spec.input ? value : undefined });
  };

  return (
    <div className="modal-backdrop" onMouseDown={() => answer(dialog.id, null)} onKeyDown={(e) => e.key === 'Escape' && answer(dialog.id, null)}>
      <form className="modal dialog" role="dialog" aria-label={spec.title} data-testid={spec.testid ?? 'dialog'} onMouseDown={(e) => e.stopPropagation()} onSubmit={submit}>
        <h3 className="dialog-title">{spec.title}</h3>
        {spec.message && <p className="dialog-message">{spec.message}</p>}
        {spec.items && spec.items.length > 0 && (
          <ul className="dialog-items" data-testid="dialog-items">
            {spec.items.map((it, i) => (
              <li key={i}>{it}</li>
            ))}
          </ul>
        )}
        {spec.input && (
          <label className="dialog-input">
            <span>{spec.input.label}</span>
            <input
              ref={input}
              autoFocus
              className={`nokey${problem ? ' invalid' : ''}`}
              data-testid="dialog-input"
              title={spec.input.label}
              value={value}
              spellCheck={false}
              aria-invalid={problem !== null}
              onChange={(e) => setValue(e.target.value)}
            />
            {problem && <span className="field-problem" data-testid="dialog-input-problem">{problem}</span>}
          </label>
        )}
        <div className="modal-actions">
          {spec.buttons.map((b) => (
            <button
              key={b.value}
              type={b.value === primary ? 'submit' : 'button'}
              className={b.kind ?? ''}
              autoFocus={!spec.input && b.value === primary}
              data-testid={`dialog-button-${b.value}`}
              title={b.label}
              disabled={b.value === primary && b.value !== 'cancel' && blocked}
              onClick={b.value === primary ? undefined : () => answer(dialog.id, { button: b.value, input: spec.input ? value : undefined })}
            >
              {b.label}
            </button>
          ))}
        </div>
      </form>
    </div>
  );
}
