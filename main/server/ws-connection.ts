// A Node-side ApiConnection over the server's WebSocket (tests, benches, scripts). The renderer has
// its own on the browser's WebSocket.
import WebSocket from 'ws';
import { createMessageConnection, type MessageConnection } from '../../shared/message-connection.js';
import type { WireMessage } from '../../shared/wire.js';

export interface WsConnection extends MessageConnection {
  readonly socket: WebSocket;
  /** Resolves when the socket has closed. */
  closed: Promise<void>;
  dispose(): Promise<void>;
}

/** `url` is the printed UI URL (`http://127.0.0.1:PORT/?token=…`) or a ws:// URL. */
export async function connectWebSocket(url: string, opts: { origin?: string; timeoutMs?: number } = {}): Promise<WsConnection> {
  const u = new URL(url);
  const wsUrl = new URL(`/ws${u.search}`, `ws://${u.host}`);
  const origin = opts.origin ?? `http://${u.host}`;
  const socket = new WebSocket(wsUrl, { origin, handshakeTimeout: opts.timeoutMs ?? 5000 });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket handshake refused: HTTP ${res.statusCode}`)));
  });
  const conn = createMessageConnection((m) => socket.send(JSON.stringify(m)));
  socket.on('message', (data) => {
    try {
      conn.receive(JSON.parse(String(data)) as WireMessage);
    } catch {
      // A malformed frame from the server is a bug there; ignore rather than crash the client.
    }
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      conn.close('connection closed');
      resolve();
    }),
  );
  return Object.assign(conn, {
    socket,
    closed,
    dispose: async () => {
      if (socket.readyState !== WebSocket.CLOSED) socket.close();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
      socket.terminate();
    },
  });
}
