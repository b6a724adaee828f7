// Serves one message-channel peer (WebSocket, Unix socket): parses, size-checks and answers
// requests, and forwards events. The channel itself is the adapter's business.
import type { ApiEventName } from '../../shared/events.js';
import { MAX_MESSAGE_BYTES, type WireMessage } from '../../shared/wire.js';
import type { ApiDispatcher, ApiSession } from './dispatcher.js';
import type { EventSessionOptions } from './event-session.js';

export interface MessagePeer {
  /** Feed one raw text frame from the peer. */
  receive(raw: string): void;
  close(): void;
  session: ApiSession;
}

export function servePeer(
  dispatcher: ApiDispatcher,
  send: (message: WireMessage) => void,
  options?: EventSessionOptions,
): MessagePeer {
  const session = dispatcher.openSession(
    (event: ApiEventName, payload: unknown) => send({ t: 'evt', event, payload }),
    options,
  );
  return {
    session,
    receive(raw) {
      if (raw.length > MAX_MESSAGE_BYTES) {
        send({ t: 'res', id: -1, result: { ok: false, error: { code: 'BAD_REQUEST', message: 'message too large' } } });
        return;
      }
      let msg: unknown;
      try {
        msg = JSON.parse(raw);
      } catch {
        send({ t: 'res', id: -1, result: { ok: false, error: { code: 'BAD_REQUEST', message: 'malformed JSON' } } });
        return;
      }
      const req = msg as { t?: unknown; id?: unknown; method?: unknown; params?: unknown };
      if (typeof req !== 'object' || req === null || req.t !== 'req' || !Number.isSafeInteger(req.id)) {
        send({ t: 'res', id: -1, result: { ok: false, error: { code: 'BAD_REQUEST', message: 'expected {t:"req", id, method, params}' } } });
        return;
      }
      const id = req.id as number;
      void session.call(req.method, req.params).then((result) => send({ t: 'res', id, result }));
    },
    close() {
      session.close();
    },
  };
}
