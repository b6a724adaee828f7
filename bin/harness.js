#!/usr/bin/env node
// The `harness` command. The CLI is TypeScript compiled to dist/ by `npm run build` (which
// `npm install` runs through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A reader that went away (`harness logs -f | head`) ends the command quietly, as SIGPIPE ends a
// C program; Node ignores SIGPIPE, so without this the write error would be an uncaught exception.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => process.exit(err.code === 'EPIPE' ? (process.exitCode ?? 0) : 1));
}

/** Resolves once everything written to `stream` so far has been handed to the OS. A write to a
 * full pipe is queued inside Node, and process.exit() would drop the queue: `harness logs --tail
 * 5000 | slow-reader` lost most of its lines that way. Writes complete in order, so the callback
 * of an empty write fires after every earlier one. */
function drained(stream) {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

const entry = new URL('../dist/main/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('harness: the CLI is not built yet; run `npm run build` first\n');
  process.exitCode = 1;
} else {
  const { main } = await import(entry.href);
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  // A finished command has stopped what it started; whatever handle is still open (a socket being
  // closed, a client's keep-alive agent) must not keep it alive.
  process.exit(code);
}
