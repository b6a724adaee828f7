import { describe, expect, it } from 'vitest';
import type { ApiConnection } from '../../../shared/api-client';
import type { ApiEventName } from '../../../shared/events';
import { holdEvents } from './held-connection';

/** A transport whose events the test fires by hand. */
function fakeTransport() {
  const listeners = new Set<(event: ApiEventName, payload: unknown) => void>();
  const conn: ApiConnection = {
    call: async (method) => ({ ok: true, value: method }),
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { conn, fire: (event: ApiEventName, payload: unknown) => listeners.forEach((l) => l(event, payload)) };
}

describe('held connection: events that arrive before the app listens', () => {
  it('queues events until release, then delivers them in order before later ones', () => {
    const t = fakeTransport();
    const held = holdEvents(t.conn);
    const seen: unknown[] = [];
    held.onEvent((_e, p) => seen.push(p));
    t.fire('logs', 1);
    t.fire('status', 2);
    expect(seen).toEqual([]);
    held.release();
    expect(seen).toEqual([1, 2]);
    t.fire('logs', 3);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('passes calls straight through while events are held', async () => {
    const held = holdEvents(fakeTransport().conn);
    expect(await held.call('project.snapshot', {})).toEqual({ ok: true, value: 'project.snapshot' });
  });

  it('stops delivering to a listener once it unsubscribes', () => {
    const t = fakeTransport();
    const held = holdEvents(t.conn);
    held.release();
    const seen: unknown[] = [];
    const off = held.onEvent((_e, p) => seen.push(p));
    t.fire('logs', 1);
    off();
    t.fire('logs', 2);
    expect(seen).toEqual([1]);
  });
});
