// Client side of the supervisor socket: newline-delimited JSON WireMessages, as an ApiConnection
// (for transport-level tests) or as a ready ApiClient.
import { connect, type Socket } from 'node:net';
import { ApiClient, type ApiClientOptions } from '../../shared/api-client.js';
import { createMessageConnection, type MessageConnection } from '../../shared/message-connection.js';
import { MAX_MESSAGE_BYTES, type WireMessage } from '../../shared/wire.js';
import { readLines, writeLine } from './ndjson.js';

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
  const connection = createMessageConnection((message) => writeLine(socket, message));
  readLines(
    socket,
    (line) => {
      try {
        connection.receive(JSON.parse(line) as WireMessage);
      } catch {
        // A garbled line is dropped; a call it answered fails when the connection closes.
      }
    },
    // Event batches are bounded by the supervisor; anything far larger is a broken peer.
    16 * MAX_MESSAGE_BYTES,
    () => socket.destroy(),
  );
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
