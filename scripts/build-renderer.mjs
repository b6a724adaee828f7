#!/usr/bin/env node
// Builds the renderer (Vite) into dist/renderer.
//   node scripts/build-renderer.mjs               the product: no test hooks in the bundle
//   node scripts/build-renderer.mjs --test-hooks  the build the e2e specs and UI benches drive
//     (Vite mode 'test-hooks': window.__harness, render counts; see renderer/src/test-hooks.ts),
//     marked by a file .test-hooks in the output so they can tell which build is there.
//   --out-dir DIR                                  elsewhere than dist/renderer (the build test)
// `npm run build` (and so `npm run dist`) always builds the product.
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'vite';

let values;
try {
  ({ values } = parseArgs({ options: { 'test-hooks': { type: 'boolean', default: false }, 'out-dir': { type: 'string' } } }));
} catch (err) {
  console.error(`build-renderer: ${err.message} (options: --test-hooks, --out-dir DIR)`);
  process.exit(2);
}
const testHooks = values['test-hooks'];
const outDir = values['out-dir'] ? resolve(values['out-dir']) : fileURLToPath(new URL('../dist/renderer', import.meta.url));
const configFile = fileURLToPath(new URL('../renderer/vite.config.ts', import.meta.url));

// Vite replaces import.meta.env.MODE by this string, so the 'test-hooks' guards fold to false in
// the product and their code is dropped. NODE_ENV stays 'production' in both (React's production
// build either way).
await build({
  configFile,
  mode: testHooks ? 'test-hooks' : 'production',
  build: { outDir, emptyOutDir: true },
  logLevel: process.env.CI ? 'info' : 'warn',
});
// Written after the build (which empties outDir), so a product build never carries the marker.
if (testHooks) writeFileSync(join(outDir, '.test-hooks'), 'Built with --test-hooks: not for shipping. `npm run build` builds the product.\n');
console.log(`renderer built: ${relative(process.cwd(), outDir) || '.'}${testHooks ? ' (with test hooks)' : ''}`);
