// Form controls of the inspector. Each shows the loader's problems for its field path under it;
// list and key/value rows keep their order and allow empty rows while typing (empty rows are not
// written).
import type { ConfigProblem } from '../../../../shared/config-types';
import type { FieldDef, FormValue } from '../../../../shared/graph/inspector-fields';

export function FieldProblems({ problems, testid }: { problems: ConfigProblem[]; testid: string }) {
  if (problems.length === 0) return null;
  return (
    <ul className="field-problems" data-testid={`problems-${testid}`}>
      {problems.map((p, i) => (
        <li key={i} className={`field-problem ${p.severity}`}>
          {p.message}
        </li>
      ))}
    </ul>
  );
}

interface Props {
  def: FieldDef;
  id: string;
  value: FormValue;
  problems: ConfigProblem[];
  onChange: (v: FormValue) => void;
}

export function Field(props: Props) {
  const { def, id, problems } = props;
  const invalid = problems.some((p) => p.severity === 'error');
  return (
    <div className={`field${invalid ? ' has-error' : ''}`} data-field={id}>
      <label htmlFor={`f-${id}`}>{def.label}</label>
      {def.kind === 'list' ? (
        <ListRows {...props} />
      ) : def.kind === 'env' ? (
        <EnvRows {...props} />
      ) : def.kind === 'select' ? (
        <select id={`f-${id}`} data-testid={`inspector-${id}`} title={def.hint ?? def.label} value={props.value as string} aria-invalid={invalid} onChange={(e) => props.onChange(e.target.value)}>
          {(def.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o === '' ? '(default)' : o}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={`f-${id}`}
          data-testid={`inspector-${id}`}
          title={def.hint ?? def.label}
          value={props.value as string}
          placeholder={def.placeholder}
          spellCheck={false}
          aria-invalid={invalid}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      {def.hint && !invalid && <span className="field-hint">{def.hint}</span>}
      <FieldProblems problems={problems} testid={id} />
    </div>
  );
}

function ListRows({ def, id, value, onChange }: Props) {
  const rows = value as string[];
  const set = (i: number, v: string) => onChange(rows.map((r, j) => (j === i ? v : r)));
  return (
    <div className="rows" data-testid={`inspector-${id}`}>
      {rows.map((r, i) => (
        <div className="row" key={i}>
          <input value={r} placeholder={def.placeholder} spellCheck={false} aria-label={`${def.label}, item ${i + 1}`} title={`${def.label}, item ${i + 1}`} data-testid={`inspector-${id}-${i}`} onChange={(e) => set(i, e.target.value)} />
          <button type="button" className="row-remove" title="Remove" aria-label={`Remove item ${i + 1}`} data-testid={`inspector-${id}-remove-${i}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="row-add" title={`Add an item to ${def.label}`} data-testid={`inspector-${id}-add`} onClick={() => onChange([...rows, ''])}>
        + Add
      </button>
    </div>
  );
}

function EnvRows({ def, id, value, onChange }: Props) {
  const rows = value as Array<[string, string]>;
  const set = (i: number, k: 0 | 1, v: string) => onChange(rows.map((r, j): [string, string] => (j === i ? (k === 0 ? [v, r[1]] : [r[0], v]) : r)));
  return (
    <div className="rows" data-testid={`inspector-${id}`}>
      {rows.map((r, i) => (
        <div className="row kv" key={i}>
          <input className="key" value={r[0]} placeholder="NAME" spellCheck={false} aria-label={`${def.label}: name ${i + 1}`} title="Variable name" data-testid={`inspector-${id}-key-${i}`} onChange={(e) => set(i, 0, e.target.value)} />
          <span className="eq">=</span>
          <input value={r[1]} placeholder="value" spellCheck={false} aria-label={`${def.label}: value of ${r[0] || `variable ${i + 1}`}`} title={`Value of ${r[0] || 'the variable'}`} data-testid={`inspector-${id}-value-${i}`} onChange={(e) => set(i, 1, e.target.value)} />
          <button type="button" className="row-remove" title="Remove" aria-label={`Remove ${r[0] || 'variable'}`} data-testid={`inspector-${id}-remove-${i}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="row-add" title={`Add a variable to ${def.label}`} data-testid={`inspector-${id}-add`} onClick={() => onChange([...rows, ['', '']])}>
        + Add variable
      </button>
    </div>
  );
}
