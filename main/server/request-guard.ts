// Host/Origin/token checks for every HTTP request and WebSocket upgrade. The exact-Host check
// defeats DNS rebinding (a page on evil.example re-pointed at 127.0.0.1 still sends
// `Host: evil.example:PORT`); the Origin check stops other local pages from driving the API.
import type { IncomingMessage } from 'node:http';
import { tokenMatches } from './access-token.js';

export interface GuardConfig {
  port: number;
  token: string;
}

export type GuardResult = { ok: true } | { ok: false; status: 400 | 401 | 403; reason: string };

/** Hosts a browser may use to reach this server. Anything else is a rebinding attempt. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function checkHost(req: IncomingMessage, port: number): GuardResult {
  const host = req.headers.host;
  if (typeof host !== 'string' || !allowedHosts(port).includes(host.toLowerCase())) {
    return { ok: false, status: 403, reason: `Host ${JSON.stringify(String(host ?? '')).slice(0, 80)} is not allowed` };
  }
  return { ok: true };
}

/** Same origin only: the Origin must be http:// plus the (already checked) Host. */
export function checkOrigin(req: IncomingMessage): GuardResult {
  const origin = req.headers.origin;
  const host = req.headers.host ?? '';
  if (typeof origin !== 'string') return { ok: false, status: 403, reason: 'missing Origin' };
  if (origin.toLowerCase() !== `http://${host.toLowerCase()}`) {
    return { ok: false, status: 403, reason: `Origin ${JSON.stringify(origin).slice(0, 80)} is not allowed` };
  }
  return { ok: true };
}

/** The token travels as `?token=` (WebSocket URLs cannot carry headers from a browser) or as
 * `Authorization: Bearer` for non-browser clients. */
export function presentedToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  return url.searchParams.get('token');
}

export function checkToken(req: IncomingMessage, token: string): GuardResult {
  return tokenMatches(token, presentedToken(req)) ? { ok: true } : { ok: false, status: 401, reason: 'missing or wrong token' };
}

/** Everything a WebSocket upgrade must pass, in order. */
export function checkUpgrade(req: IncomingMessage, cfg: GuardConfig): GuardResult {
  for (const check of [() => checkHost(req, cfg.port), () => checkOrigin(req), () => checkToken(req, cfg.token)]) {
    const r = check();
    if (!r.ok) return r;
  }
  return { ok: true };
}
