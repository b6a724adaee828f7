// ApiConnection over the browser's WebSocket that survives drops: it reconnects with backoff and
// tells the app, which then resynchronises from a snapshot. Calls made while disconnected fail
// at once with UNAVAILABLE rather than hang.
import type { ApiConnection } from '../../../shared/api-client';
import { createMessageConnection, type MessageConnection } from '../../../shared/message-connection';
import type { ApiEventName } from '../../../shared/events';
import type { WireMessage } from '../../../shared/wire';

export type LinkState = 'connecting' | 'open' | 'closed';

export interface ReconnectingConnection extends ApiConnection {
  /** Called on every state change; `open` after a drop means: resync. */
  onState(listener: (state: LinkState, detail: string) => void): () => void;
  /** For tests and the e2e: drop the socket as a network failure would; with `holdMs`, the link
   * stays down that long before it reconnects (so a spec can look at the disconnected view). */
  dropForTest(holdMs?: number): void;
  dispose(): void;
}

/** `token` may still be on its way (a one-time code being redeemed); if it cannot be had, the
 * link stays closed with the reason, without retrying. */
export function connectReconnectingWebSocket(token: string | Promise<string>): ReconnectingConnection {
  const listeners = new Set<(event: ApiEventName, payload: unknown) => void>();
  const stateListeners = new Set<(state: LinkState, detail: string) => void>();
  let current: MessageConnection | null = null;
  let socket: WebSocket | null = null;
  let attempt = 0;
  let disposed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let holdUntil = 0;

  const setState = (state: LinkState, detail: string): void => stateListeners.forEach((l) => l(state, detail));

  let key: string | null = typeof token === 'string' ? token : null;

  function open(): void {
    if (disposed) return;
    setState('connecting', attempt === 0 ? 'connecting' : `reconnecting (attempt ${attempt})`);
    if (key === null) {
      void Promise.resolve(token).then(
        (t) => {
          key = t;
          open();
        },
        (err: unknown) => setState('closed', err instanceof Error ? err.message : String(err)),
      );
      return;
    }
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${window.location.host}/ws?token=${encodeURIComponent(key)}`);
    socket = ws;
    const conn = createMessageConnection((m) => ws.send(JSON.stringify(m)));
    conn.onEvent((event, payload) => listeners.forEach((l) => l(event, payload)));
    ws.onopen = () => {
      attempt = 0;
      current = conn;
      setState('open', 'connected');
    };
    ws.onmessage = (e) => {
      try {
        conn.receive(JSON.parse(String(e.data)) as WireMessage);
      } catch {
        // ignore a malformed frame
      }
    };
    ws.onclose = (e) => {
      conn.close('disconnected from Harness');
      if (current === conn) current = null;
      if (disposed) return;
      // 1008/4401-style refusals come back as a close before open; keep trying, the user sees why.
      setState('closed', e.code === 1006 ? 'connection lost' : `closed (${e.code}${e.reason ? `: ${e.reason}` : ''})`);
      const delay = Math.max(Math.min(5000, 200 * 2 ** Math.min(attempt++, 5)), holdUntil - Date.now());
      timer = setTimeout(open, delay);
    };
  }

  open();

  return {
    call(method, params) {
      if (!current) return Promise.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'not connected to Harness' } });
      return current.call(method, params);
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    dropForTest(holdMs = 0) {
      holdUntil = Date.now() + holdMs;
      socket?.close(4000, 'dropped for test');
    },
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
}
