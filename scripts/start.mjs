#!/usr/bin/env node
// `npm start [-- path/to/services.yaml]`: build, then launch the Electron app on the demo (or the
// file given). Where the Electron binary is missing and cannot be fetched (offline machine,
// blocked install script), say so in one line and run the browser UI (`harness serve`) instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const file = resolve(process.argv[2] ?? join(root, 'examples', 'demo', 'services.yaml'));
const node = process.execPath;

function run(args, what) {
  const r = spawnSync(node, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`start: ${what} failed`);
    process.exit(r.status ?? 1);
  }
}

run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], 'TypeScript build');
run([join(root, 'scripts', 'build-renderer.mjs')], 'renderer build');
run([join(root, 'scripts', 'build-preload.mjs')], 'preload build');

function electronBinary() {
  const dir = join(root, 'node_modules', 'electron');
  try {
    const bin = join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

let electron = electronBinary();
if (!electron && existsSync(join(root, 'node_modules', 'electron', 'install.js'))) {
  // npm skips Electron's install script unless allowScripts lists it; fetch the binary now.
  spawnSync(node, [join(root, 'node_modules', 'electron', 'install.js')], { cwd: root, stdio: 'ignore', timeout: 20_000 });
  electron = electronBinary();
}

const forward = (child) => {
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
};

if (electron) {
  forward(spawn(electron, [join(root, 'dist', 'electron', 'main.js'), file], { cwd: root, stdio: 'inherit' }));
} else {
  console.log('Electron binary not available (offline?): running the browser UI via `harness serve` instead');
  forward(spawn(node, [join(root, 'bin', 'harness.js'), 'serve', '-f', file, '--open'], { cwd: root, stdio: 'inherit' }));
}
