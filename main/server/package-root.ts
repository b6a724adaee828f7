// Locates files shipped with the package (the built renderer, the demo) from either the sources
// (main/server, under vitest) or the build (dist/main/server).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'harness') return dir;
      } catch {
        // not ours; keep looking upwards
      }
    }
    dir = dirname(dir);
  }
  return null;
}

/** examples/demo/services.yaml when shipped with this install. */
export function demoFile(): string | null {
  const root = packageRoot();
  const file = root ? join(root, 'examples', 'demo', 'services.yaml') : null;
  return file && existsSync(file) ? file : null;
}
