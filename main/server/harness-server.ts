// `harness serve`'s transport: HTTP for the built renderer plus a WebSocket carrying the API
// contract (WireMessages through servePeer). Bound to 127.0.0.1 only; every upgrade must pass the
// exact-Host, same-Origin and per-launch-token checks in request-guard.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { join, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { packageRoot } from '../os/package-root.js';
import type { ApiDispatcher } from '../api/dispatcher.js';
import type { EventSessionOptions } from '../api/event-session.js';
import { servePeer } from '../api/message-server.js';
import { MAX_MESSAGE_BYTES, type WireMessage } from '../../shared/wire.js';
import { generateAccessToken } from './access-token.js';
import { OneTimeCodes } from './one-time-codes.js';
import { checkHost, checkToken, checkUpgrade } from './request-guard.js';
import { applySecurityHeaders } from './security-headers.js';
import { handleSessionExchange, SESSION_PATH } from './session-exchange.js';
import { htmlAttr, serveStatic } from './static-files.js';

export const WS_PATH = '/ws';
/** Frames above this close the socket (1009); frames between MAX_MESSAGE_BYTES and this get a
 * BAD_REQUEST answer from servePeer, so a client learns why its call failed. */
export const WS_MAX_FRAME_BYTES = 4 * MAX_MESSAGE_BYTES;
const MAX_PEERS = 32;
const HEARTBEAT_MS = 30_000;

export interface HarnessServerOptions {
  dispatcher: ApiDispatcher;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Built renderer; defaults to dist/renderer next to this module's build. */
  staticDir?: string;
  /** Defaults to a fresh random token. */
  token?: string;
  session?: EventSessionOptions;
  /** Path of the bundled demo, announced to the renderer (its empty state offers it). */
  demoPath?: string | null;
}

export interface HarnessServer {
  readonly port: number;
  /** The session secret: never print it, nor pass it on a command line (/proc/PID/cmdline is
   * world-readable); hand users a one-time link (issueLink) or the owner-only launch file. */
  readonly token: string;
  /** `http://127.0.0.1:PORT/?token=…`: the tokenised URL (same secrecy as the token). */
  readonly url: string;
  /** `http://127.0.0.1:PORT/?code=…`: a link that signs in once (POST /api/session). */
  issueLink(): string;
  readonly server: Server;
  peerCount(): number;
  close(): Promise<void>;
}

/** The built renderer, dist/renderer of this package (the same from the sources and the build). */
export function defaultRendererDir(): string {
  return join(packageRoot() ?? process.cwd(), 'dist', 'renderer');
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' }[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
  socket.destroy();
}

export async function startHarnessServer(options: HarnessServerOptions): Promise<HarnessServer> {
  const token = options.token ?? generateAccessToken();
  const codes = new OneTimeCodes();
  const staticDir = resolve(options.staticDir ?? defaultRendererDir());
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_FRAME_BYTES, perMessageDeflate: false });
  let port = 0;
  const transformIndex = (html: string): string =>
    options.demoPath ? html.replace('</head>', `  <meta name="harness-demo" content="${htmlAttr(options.demoPath)}" />\n  </head>`) : html;

  const server = createServer((req, res) => {
    void handleHttp(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    applySecurityHeaders(res, port);
    const host = checkHost(req, port);
    if (!host.ok) {
      res.writeHead(host.status, { 'Content-Type': 'text/plain' }).end(host.reason);
      return;
    }
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === SESSION_PATH) {
      await handleSessionExchange(req, res, codes, token);
      return;
    }
    if (path.startsWith('/api/')) {
      await handleApi(req, res, path);
      return;
    }
    await serveStatic(staticDir, req, res, { transformIndex });
  }

  // A tiny read-only HTTP surface for scripts (health checks); everything else goes over the socket.
  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const auth = checkToken(req, token);
    if (!auth.ok) {
      res.writeHead(auth.status, { 'Content-Type': 'text/plain' }).end(auth.reason);
      return;
    }
    if (req.method !== 'GET' || path !== '/api/info') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const result = await options.dispatcher.call('supervisor.info', {});
    res.writeHead(result.ok ? 200 : 500, { 'Content-Type': 'application/json' }).end(JSON.stringify(result));
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== WS_PATH) return rejectUpgrade(socket, 400, 'unknown path');
    const guard = checkUpgrade(req, { port, token });
    if (!guard.ok) return rejectUpgrade(socket, guard.status, guard.reason);
    if (wss.clients.size >= MAX_PEERS) return rejectUpgrade(socket, 503, 'too many connections');
    wss.handleUpgrade(req, socket, head, (ws) => attachPeer(ws));
  });

  function attachPeer(ws: WebSocket): void {
    let alive = true;
    const send = (message: WireMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const peer = servePeer(options.dispatcher, send, options.session);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'text frames only');
        return;
      }
      peer.receive(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
    });
    ws.on('pong', () => (alive = true));
    // Dead peers (laptop slept, tab killed) would otherwise hold a session and its buffers.
    const heartbeat = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, HEARTBEAT_MS);
    heartbeat.unref();
    ws.on('close', () => {
      clearInterval(heartbeat);
      peer.close();
    });
    ws.on('error', () => ws.terminate());
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0, exclusive: true }, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${encodeURIComponent(token)}`,
    issueLink: () => `http://127.0.0.1:${port}/?code=${codes.issue()}`,
    server,
    peerCount: () => wss.clients.size,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
