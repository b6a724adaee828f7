// ApiConnection over a message channel (WebSocket, Unix socket): correlates responses by id.
import type { ApiConnection } from './api-client.js';
import type { Envelope } from './errors.js';
import type { ApiEventName } from './events.js';
import type { RequestMessage, WireMessage } from './wire.js';

export interface MessageConnection extends ApiConnection {
  /** Feed every message received from the peer. */
  receive(message: WireMessage): void;
  /** Fails every pending call; later calls fail at once. */
  close(reason: string): void;
}

export function createMessageConnection(send: (message: RequestMessage) => void): MessageConnection {
  let nextId = 1;
  let closedReason: string | null = null;
  const pending = new Map<number, (result: Envelope<unknown>) => void>();
  const listeners = new Set<(event: ApiEventName, payload: unknown) => void>();

  return {
    call(method, params) {
      if (closedReason !== null) {
        return Promise.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: closedReason } });
      }
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        try {
          send({ t: 'req', id, method, params });
        } catch (err) {
          pending.delete(id);
          resolve({ ok: false, error: { code: 'UNAVAILABLE', message: (err as Error).message } });
        }
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    receive(message) {
      if (message.t === 'res') {
        const resolve = pending.get(message.id);
        pending.delete(message.id);
        resolve?.(message.result);
      } else if (message.t === 'evt') {
        for (const l of listeners) l(message.event, message.payload);
      }
    },
    close(reason) {
      closedReason = reason;
      for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'UNAVAILABLE', message: reason } });
      pending.clear();
    },
  };
}
