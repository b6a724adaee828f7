// Client side of the supervisor socket: newline-delimited JSON WireMessages, as an ApiConnection
// (for transport-level tests) or as a ready ApiClient.
import { connect, type Socket } from 'node:net';
import { ApiClient, type ApiClientOptions } from '../../shared/api-client.js';
import { HarnessError } from '../../shared/errors.js';
import { createMessageConnection, type MessageConnection } from '../../shared/message-connection.js';
import { MAX_MESSAGE_BYTES, type WireMessage } from '../../shared/wire.js';
import { readLines, writeLine } from './ndjson.js';

export interface SocketConnection {
  connection: MessageConnection;
  /** Resolves when the supervisor closes the connection (or it breaks). */
  closed: Promise<void>;
  close(): void;
}

export interface OpenSocketOptions {
  /** How long to keep retrying a connect that the supervisor could not take yet. Default 2 s. */
  retryMs?: number;
  /** Asked after a refusal (nobody listening, or no socket file): true while a supervisor is
   * known to be alive and about to listen, so the refusal is worth retrying too. */
  expectListener?: () => boolean;
}

/** Replies to the CLI may be large (a page of log history); anything far larger is a broken peer. */
export const MAX_REPLY_BYTES = 16 * MAX_MESSAGE_BYTES;

/**
 * Opens a connection to a supervisor socket; null when nobody listens there (no file, refused).
 * A full listen backlog (a storm of connects while the supervisor is busy) answers EAGAIN: that
 * is retried with backoff for up to `retryMs`, and so is a refusal while `expectListener` says a
 * live supervisor is about to serve, before the supervisor is reported gone.
 */
export async function openSocketConnection(path: string, options: OpenSocketOptions = {}): Promise<SocketConnection | null> {
  const socket = await connectWithRetry(path, options);
  if (!socket) return null;
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
    MAX_REPLY_BYTES,
    () => {
      connection.close(`a message from the supervisor was larger than ${MAX_REPLY_BYTES >> 20} MiB; is it another version of harness? (\`harness ps\` names it)`);
      socket.destroy();
    },
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

async function connectWithRetry(path: string, options: OpenSocketOptions): Promise<Socket | null> {
  const retryMs = options.retryMs ?? 2000;
  const deadline = Date.now() + retryMs;
  for (let attempt = 0; ; attempt++) {
    const outcome = await tryConnect(path);
    if (typeof outcome !== 'string') return outcome;
    const refused = outcome === 'ENOENT' || outcome === 'ECONNREFUSED';
    const retry = outcome === 'EAGAIN' || (refused && options.expectListener?.() === true);
    if (!retry) {
      if (refused) return null;
      throw Object.assign(new Error(`cannot connect to the supervisor socket ${path}: ${outcome}`), { code: outcome });
    }
    if (Date.now() >= deadline) {
      if (refused) return null;
      throw new HarnessError('UNAVAILABLE', `the supervisor did not accept a connection on ${path} for ${retryMs / 1000} s (its queue of new connections stays full); try again`);
    }
    // 5, 10, 20 … 160 ms, jittered so a storm of clients does not come back in step.
    const wait = Math.min(160, 5 * 2 ** attempt) * (0.5 + Math.random());
    await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(1, deadline - Date.now()))));
  }
}

/** A connected socket, or the error code of a failed connect. */
function tryConnect(path: string): Promise<Socket | string> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const onError = (err: NodeJS.ErrnoException): void => {
      socket.destroy();
      resolve(err.code ?? err.message);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
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

export async function connectSocket(path: string, options?: ApiClientOptions, open?: OpenSocketOptions): Promise<SocketApiClient | null> {
  const socket = await openSocketConnection(path, open);
  return socket ? new SocketApiClient(socket, options) : null;
}
