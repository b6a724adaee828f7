#!/usr/bin/env node
// Bundles electron/preload.ts into ONE CommonJS file (dist/electron/preload.cjs): a sandboxed
// preload can only require 'electron' and a few built-ins, never local modules.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}electron/preload.ts`],
  outfile: `${root}dist/electron/preload.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'es2022',
  external: ['electron'],
  sourcemap: 'inline',
  logLevel: 'warning',
});
console.log('preload bundled: dist/electron/preload.cjs');
