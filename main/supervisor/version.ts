// The package version, read once from the nearest package.json named "harness" above this module
// (works from the sources under vitest and from dist/ after the build).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function harnessVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'harness' && pkg.version) return (cached = pkg.version);
    } catch {
      // keep looking upwards
    }
    dir = dirname(dir);
  }
  return (cached = '0.0.0-unknown');
}
