// The renderer loads from `app://harness/…` (a standard, secure scheme) rather than file://, so
// it has a real origin to check on every IPC call and in navigation guards, and a CSP header.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { protocol } from 'electron';
import { contentSecurityPolicy, STATIC_TYPES as TYPES } from '../main/server/security-headers.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'harness';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

export const CSP = contentSecurityPolicy();


/** Must run before `app.ready`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: true } },
  ]);
}

export function isAppUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

function escapeAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Serves dist/renderer under app://harness/, nothing outside it. */
export function handleAppProtocol(rendererDir: string, demoPath: string | null): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '') || 'index.html';
    const file = join(rendererDir, rel);
    if (!file.startsWith(rendererDir + sep)) return new Response('forbidden', { status: 403 });
    const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' };
    try {
      let body: Buffer | string = await readFile(file);
      if (rel === 'index.html' && demoPath) {
        body = body.toString('utf8').replace('</head>', `<meta name="harness-demo" content="${escapeAttr(demoPath)}" />\n</head>`);
      }
      return new Response(body, { status: 200, headers });
    } catch {
      return new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
    }
  });
}
