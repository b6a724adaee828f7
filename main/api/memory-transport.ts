// In-process transport for tests and for embedding: same dispatcher path as the wire transports,
// with payloads cloned so nothing is shared by reference.
import type { ApiConnection } from '../../shared/api-client.js';
import type { ApiEventName } from '../../shared/events.js';
import type { ApiDispatcher } from './dispatcher.js';
import type { EventSessionOptions } from './event-session.js';

export function connectInMemory(dispatcher: ApiDispatcher, options?: EventSessionOptions): ApiConnection & { close(): void } {
  const listeners = new Set<(event: ApiEventName, payload: unknown) => void>();
  const session = dispatcher.openSession((event, payload) => {
    const copy = structuredClone(payload);
    queueMicrotask(() => {
      for (const l of listeners) l(event, copy);
    });
  }, options);
  return {
    call: async (method, params) => structuredClone(await session.call(method, structuredClone(params))),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => session.close(),
  };
}
