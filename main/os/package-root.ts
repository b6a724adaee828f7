// The installed package: its root (the nearest package.json named "harness" above this module,
// from the sources under vitest or from dist/ after the build), its version, and files shipped
// with it (the built renderer, the demo).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Found {
  root: string | null;
  version: string;
}

let found: Found | undefined;

function find(): Found {
  if (found) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'harness') return (found = { root: dir, version: pkg.version ?? '0.0.0-unknown' });
    } catch {
      // no package.json here, or not ours: keep looking upwards
    }
    dir = dirname(dir);
  }
  return (found = { root: null, version: '0.0.0-unknown' });
}

export function packageRoot(): string | null {
  return find().root;
}

export function harnessVersion(): string {
  return find().version;
}

/** examples/demo/services.yaml when shipped with this install. */
export function demoFile(): string | null {
  const root = packageRoot();
  const file = root ? join(root, 'examples', 'demo', 'services.yaml') : null;
  return file && existsSync(file) ? file : null;
}
