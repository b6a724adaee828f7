// Packages for the Wireguard tests, built with `harness pack`'s own code from a temporary folder:
// a small node HTTP server that, at its start, fetches each dependency named in DEPS from the
// injected <DEP>_ADDR / <DEP>_PORT (and nothing else), then answers every request with its
// version and what the dependencies said.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPackage } from '../package-build.js';

export type PackageFiles = Record<string, string | { text: string | Buffer; mode: number }>;

/** Builds a package from `files` (start.sh executable) into `dir`/`name`.tar.gz. */
export async function makePackage(dir: string, name: string, files: PackageFiles): Promise<string> {
  const src = await mkdtemp(join(tmpdir(), 'hx-pkg-src-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      const file = join(src, path);
      await mkdir(join(file, '..'), { recursive: true });
      const text = typeof content === 'string' ? content : content.text;
      const mode = typeof content === 'string' ? (path.endsWith('.sh') ? 0o755 : 0o644) : content.mode;
      await writeFile(file, text);
      await chmod(file, mode);
    }
    const out = join(dir, `${name}.tar.gz`);
    await buildPackage(src, { output: out });
    return out;
  } finally {
    await rm(src, { recursive: true, force: true });
  }
}

/** The server: `VERSION`, the port from PORT (default 18090), the dependencies from DEPS. */
export const SERVER_JS = `
const http = require('http');
const fs = require('fs');
const version = fs.readFileSync('version.txt', 'utf8').trim();
const deps = (process.env.DEPS || '').split(',').filter(Boolean);
const seen = {};
const get = (dep, n) => {
  const host = process.env[dep + '_ADDR'], port = process.env[dep + '_PORT'];
  console.log('using ' + dep + ' ' + host + ':' + port);
  http.get({ host, port, path: '/', timeout: 2000 }, (r) => {
    let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => { seen[dep] = b.trim(); console.log('got ' + dep + ' ' + b.trim()); });
  }).on('error', (e) => (n > 0 ? setTimeout(() => get(dep, n - 1), 200) : (seen[dep] = 'failed ' + e.message, console.log('failed ' + dep + ' ' + e.message))));
};
for (const d of deps) get(d, 50);
http.createServer((q, s) => s.end(version + ' ' + JSON.stringify(seen) + ' ' + process.env.HARNESS_RELEASE_ID)).listen(Number(process.env.PORT || 18090), '0.0.0.0', () => console.log('listening ' + version));
process.on('SIGTERM', () => { console.log('stopping ' + version); process.exit(0); });
`;

/** A package of the server at `version`; `extra` adds or replaces files. */
export function serverPackage(dir: string, version: string, extra: PackageFiles = {}): Promise<string> {
  return makePackage(dir, `api-${version}`, {
    'start.sh': '#!/bin/sh\nexec node ./server.js\n',
    'server.js': SERVER_JS,
    'version.txt': `${version}\n`,
    'harness-package.json': JSON.stringify({ name: 'api', version }),
    ...extra,
  });
}

/** A package whose start.sh fails at once (after saying so on stderr). */
export function failingPackage(dir: string, version: string): Promise<string> {
  return serverPackage(dir, version, { 'start.sh': '#!/bin/sh\necho "start.sh of ' + version + ' refuses to start" >&2\nexit 3\n' });
}

/** `bytes` of incompressible data in a package (for transfers that take a while). */
export async function bigPackage(dir: string, version: string, bytes: number): Promise<string> {
  const { randomBytes } = await import('node:crypto');
  return serverPackage(dir, version, { 'blob.bin': { text: randomBytes(bytes), mode: 0o644 } });
}
