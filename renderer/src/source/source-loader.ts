// CodeMirror is only needed once the source panel or the compare view opens: its own chunk.
type Module = typeof import('./codemirror');

let loading: Promise<Module> | null = null;

export function loadCodeMirror(): Promise<Module> {
  loading ??= import('./codemirror').catch((err: unknown) => {
    // A chunk fetch can fail transiently; let the next opening try again.
    loading = null;
    throw err;
  });
  return loading;
}
