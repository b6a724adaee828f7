// Asks for a file path (the browser has no native dialog; in Electron, File > Open is native).
import { useEffect, useState } from 'react';
import { useController } from '../actions/controller-context';
import { useUi } from '../stores/stores';

export function PathDialog() {
  const prompt = useUi((s) => s.prompt);
  const setPrompt = useUi((s) => s.setPrompt);
  const controller = useController();
  const [value, setValue] = useState('');
  useEffect(() => setValue(prompt?.initial ?? ''), [prompt]);
  if (!prompt) return null;
  const submit = () => {
    const path = value.trim();
    if (!path) return;
    setPrompt(null);
    if (prompt.action === 'open') void controller.open(path);
    else if (prompt.action === 'create') void controller.create(path);
    else void controller.save(path);
  };
  return (
    <div className="modal-backdrop" onMouseDown={() => setPrompt(null)}>
      <form className="modal" data-testid="path-dialog" onMouseDown={(e) => e.stopPropagation()} onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <label>
          {prompt.title}
          <input autoFocus className="nokey" data-testid="path-input" title="The path of the services.yaml" value={value} placeholder="/path/to/services.yaml" onChange={(e) => setValue(e.target.value)} />
        </label>
        <div className="modal-actions">
          <button type="button" title="Cancel" onClick={() => setPrompt(null)}>Cancel</button>
          <button type="submit" data-testid="path-submit" title="OK">OK</button>
        </div>
      </form>
    </div>
  );
}
