#!/usr/bin/env node
// The `harness` command. The CLI is TypeScript compiled to dist/ by `npm run build` (which
// `npm install` runs through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('harness: the CLI is not built yet; run `npm run build` first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
// A finished command has stopped what it started; whatever handle is still open (a socket being
// closed, a client's keep-alive agent) must not keep it alive. stdout/stderr writes to files,
// pipes and terminals are synchronous on Linux, so nothing printed is lost.
process.exit(code);
