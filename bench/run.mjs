// `npm run bench`: runs every benchmark in turn against the built code (dist/) and prints each
// one's table. Pass names to run a subset: `npm run bench -- core docker`.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const entries = readdirSync(here)
  .filter((f) => /^[a-z][a-z0-9-]*\.mjs$/.test(f) && f !== 'run.mjs' && !f.endsWith('-support.mjs'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

if (!existsSync(join(here, '..', 'dist', 'main'))) {
  console.error('bench: dist/ is missing; run `npm run build` first (npm run bench does).');
  process.exit(1);
}

let failed = 0;
for (const file of entries) {
  console.log(`\n=== ${file} ===`);
  const started = Date.now();
  try {
    const mod = await import(pathToFileURL(join(here, file)).href);
    if (typeof mod.run === 'function') await mod.run();
  } catch (err) {
    failed++;
    console.error(`bench ${file} failed: ${err instanceof Error ? err.stack : err}`);
  }
  console.log(`(${file}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(failed ? 1 : 0);
