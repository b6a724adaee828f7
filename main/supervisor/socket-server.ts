// Serves the core API on a Unix socket as newline-delimited JSON WireMessages. The socket lives
// in the owner-only state directory and is itself chmod 0600, so only the owner can attach.
import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { MAX_MESSAGE_BYTES, type WireMessage } from '../../shared/wire.js';
import type { ApiDispatcher } from '../api/dispatcher.js';
import { servePeer } from '../api/message-server.js';
import { readLines, writeLine } from './ndjson.js';

/** Connections the kernel queues while the supervisor is busy (capped by net.core.somaxconn).
 * Node's default of 511 overflowed under a storm of CLI and app connects: EAGAIN for 17-26%. */
export const LISTEN_BACKLOG = 4096;

export interface SocketServer {
  readonly path: string;
  /** Stops accepting, ends every connection and removes the socket file. */
  close(): Promise<void>;
}

/** Caller must hold the project lock: any file already at `path` is a leftover and is removed. */
export async function serveUnixSocket(dispatcher: ApiDispatcher, path: string): Promise<SocketServer> {
  await unlink(path).catch(() => undefined);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    attachPeer(dispatcher, socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(path, 0o600);
  let closing: Promise<void> | null = null;
  return {
    path,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.end();
        // A peer that does not close its end must not keep us alive.
        setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, 200).unref();
      }).then(() => unlink(path).catch(() => undefined));
      return closing;
    },
  };
}

function attachPeer(dispatcher: ApiDispatcher, socket: Socket): void {
  const send = (message: WireMessage): void => writeLine(socket, message);
  const peer = servePeer(dispatcher, send);
  readLines(socket, (line) => peer.receive(line), MAX_MESSAGE_BYTES, () => {
    send({ t: 'res', id: -1, result: { ok: false, error: { code: 'BAD_REQUEST', message: 'message too large' } } });
    socket.destroy();
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => peer.close());
}
