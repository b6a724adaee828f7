// Headers on every HTTP response. The CSP matches the Electron window's: scripts and workers only
// from this origin, sockets only back to this origin, no framing.
import type { ServerResponse } from 'node:http';

export function contentSecurityPolicy(port: number): string {
  const self = `127.0.0.1:${port} localhost:${port}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self'",
    // xterm and React Flow set inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${self.split(' ').map((h) => `ws://${h}`).join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function applySecurityHeaders(res: ServerResponse, port: number): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(port));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}
