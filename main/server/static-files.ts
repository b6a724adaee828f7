// Serves the built renderer (dist/renderer). Only GET/HEAD, only files under the root, no
// directory listings; unknown paths fall back to index.html (single-page app).
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { STATIC_TYPES as TYPES } from './security-headers.js';


/** Escapes text for an HTML attribute value. */
export function htmlAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface StaticOptions {
  /** Rewrites index.html (adds host-provided <meta> tags, e.g. the demo's path). */
  transformIndex?: (html: string) => string;
}

export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, opts: StaticOptions = {}): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  } catch {
    res.writeHead(400).end('bad path');
    return;
  }
  if (pathname.includes('\0')) {
    res.writeHead(400).end('bad path');
    return;
  }
  const rel = normalize(pathname).replace(/^([/\\])+/, '');
  let file = join(root, rel);
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    res.writeHead(403).end('forbidden');
    return;
  }
  let info = await stat(file).catch(() => null);
  if (!info || info.isDirectory()) {
    // Asset-looking paths that do not exist are real 404s; everything else is the app.
    if (extname(rel) !== '' && !info) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    file = join(root, 'index.html');
    info = await stat(file).catch(() => null);
    if (!info) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The renderer is not built: run `npm run build`.');
      return;
    }
  }
  if (opts.transformIndex && file === join(root, 'index.html')) {
    const html = Buffer.from(opts.transformIndex(await readFile(file, 'utf8')));
    res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Content-Length': html.length });
    res.end(req.method === 'HEAD' ? undefined : html);
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': info.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
