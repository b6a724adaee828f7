// Watches one file for changes made outside the app. fs.watch on the file itself loses track as
// soon as an editor saves by writing a new file and renaming it over the old one (vim, most IDEs,
// our own atomic writes): the watched inode is gone. Watching the directory and filtering by name
// survives that. Events come in bursts (write, rename, chmod), so they are debounced; the caller
// compares the content with what it knows, so a spurious event costs one read.
import { watch, type FSWatcher } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export interface FileWatch {
  close(): void;
}

export async function watchFile(file: string, onChange: () => void, options: { debounceMs?: number } = {}): Promise<FileWatch> {
  const debounceMs = options.debounceMs ?? 150;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const fire = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (!closed) onChange();
    }, debounceMs);
  };
  // A services.yaml behind a symbolic link is written where the link points: watch both places.
  const targets = new Map<string, string>([[dirname(file), basename(file)]]);
  const real = await realpath(file).catch(() => file);
  if (real !== file) targets.set(dirname(real), basename(real));
  const watchers: FSWatcher[] = [];
  for (const [dir, name] of targets) {
    try {
      const w = watch(dir, { persistent: false }, (_event, changed) => {
        // Some platforms do not say which file changed; then any change may be ours.
        if (changed === null || changed === name || changed.toString() === name) fire();
      });
      w.on('error', () => undefined);
      watchers.push(w);
    } catch {
      // The directory may be gone or unwatchable; Save still compares hashes before writing.
    }
  }
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
