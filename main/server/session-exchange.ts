// POST /api/session {"code": "…"} → {"token": "…"}: the page opened from a one-time link trades
// its code for the session token (then keeps the token in sessionStorage, as for `?token=`). Same
// origin only, JSON only (a cross-site form cannot send it), a small body, and each code once.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OneTimeCodes } from './one-time-codes.js';
import { checkOrigin } from './request-guard.js';

export const SESSION_PATH = '/api/session';
const MAX_BODY = 1024;

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** The body, or null past MAX_BODY (the rest is discarded; the reply closes the connection). */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    let size = 0;
    const parts: Buffer[] = [];
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= MAX_BODY) return void parts.push(chunk);
      req.off('data', onData);
      req.resume();
      resolve(null);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/** Answers the exchange; the Host was checked by the caller. */
export async function handleSessionExchange(req: IncomingMessage, res: ServerResponse, codes: OneTimeCodes, token: string): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return reply(res, 405, { error: 'use POST' });
  }
  const origin = checkOrigin(req);
  if (!origin.ok) return reply(res, origin.status, { error: origin.reason });
  if (!/^application\/json(;|$)/i.test(req.headers['content-type'] ?? '')) return reply(res, 415, { error: 'send JSON' });
  const body = await readBody(req);
  if (body === null) {
    res.setHeader('Connection', 'close');
    return reply(res, 413, { error: 'body too large' });
  }
  let code: unknown;
  try {
    code = (JSON.parse(body) as { code?: unknown }).code;
  } catch {
    return reply(res, 400, { error: 'body is not JSON' });
  }
  if (!codes.redeem(code)) {
    return reply(res, 401, { error: 'this one-time link was already used or is not from this `harness serve`' });
  }
  reply(res, 200, { token });
}
