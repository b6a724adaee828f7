// An ApiConnection whose events wait until the app is ready for them. The connection opens (and
// the first snapshot is requested) before the app's modules have loaded; events that arrive in
// that window are queued, not dropped: a log batch lost there would never be acknowledged and
// would stall the core's flow control.
import type { ApiConnection } from '../../../shared/api-client';
import type { ApiEventName } from '../../../shared/events';

export interface HeldConnection extends ApiConnection {
  /** Delivers the queued events in order, then every later one as it comes. */
  release(): void;
}

/** Far more than a start-up window holds; past it the oldest are dropped (a resync recovers). */
const MAX_HELD = 10_000;

export function holdEvents(inner: ApiConnection): HeldConnection {
  const listeners = new Set<(event: ApiEventName, payload: unknown) => void>();
  let held: Array<[ApiEventName, unknown]> | null = [];
  const emit = (event: ApiEventName, payload: unknown): void => listeners.forEach((l) => l(event, payload));
  inner.onEvent((event, payload) => {
    if (!held) return emit(event, payload);
    held.push([event, payload]);
    if (held.length > MAX_HELD) held.shift();
  });
  return {
    call: (method, params) => inner.call(method, params),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    release() {
      const queued = held ?? [];
      held = null;
      for (const [event, payload] of queued) emit(event, payload);
    },
  };
}
