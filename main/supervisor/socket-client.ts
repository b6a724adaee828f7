// Client side of the supervisor socket: newline-delimited JSON WireMessages, as an ApiConnection
// (for transport-level tests) or as a ready ApiClient.
import { connect, type Socket } from 'node:net';
import { ApiClient, type ApiClientOptions } from '../../shared/api-client.js';
import { createMessageConnection, type MessageConnection } from '../../shared/message-connection.js';
import type { WireMessage } from '../../shared/wire.js';

export interface SocketConnection {
  connection: MessageConnection;
  /** Resolves when the supervisor closes the connection (or it breaks). */
  closed: Promise<void>;
  close(): void;
}

/** Opens a connection to a supervisor socket; null when nobody listens there (no file, refused). */
export async function openSocketConnection(path: string): Promise<SocketConnection | null> {
  const socket: Socket = connect(path);
  const ok = await new Promise<boolean>((resolve, reject) => {
    socket.once('connect', () => resolve(true));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(false);
      else reject(err);
    });
  });
  if (!ok) {
    socket.destroy();
    return null;
  }
  const connection = createMessageConnection((message) => socket.write(`${JSON.stringify(message)}\n`));
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.length === 0) continue;
      try {
        connection.receive(JSON.parse(line) as WireMessage);
      } catch {
        // A garbled line is dropped; a call it answered fails when the connection closes.
      }
    }
  });
  const closed = new Promise<void>((resolve) => {
    socket.on('error', () => undefined);
    socket.on('close', () => {
      connection.close('the supervisor closed the connection');
      resolve();
    });
  });
  return {
    connection,
    closed,
    close() {
      socket.end();
      socket.destroy();
    },
  };
}

export class SocketApiClient extends ApiClient {
  constructor(
    private readonly socket: SocketConnection,
    options?: ApiClientOptions,
  ) {
    super(socket.connection, options);
  }

  /** Resolves when the supervisor closes the connection (e.g. it stopped). */
  get closed(): Promise<void> {
    return this.socket.closed;
  }

  close(): void {
    this.dispose();
    this.socket.close();
  }
}

export async function connectSocket(path: string, options?: ApiClientOptions): Promise<SocketApiClient | null> {
  const socket = await openSocketConnection(path);
  return socket ? new SocketApiClient(socket, options) : null;
}
