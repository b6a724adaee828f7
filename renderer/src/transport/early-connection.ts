// The first thing the page runs, in the entry chunk before the app's modules have even loaded:
// open the link to the core and ask for the snapshot, so that round trip overlaps with fetching
// and evaluating the app (React, React Flow) instead of following it.
import { ApiClient } from '../../../shared/api-client';
import type { ProjectSnapshot } from '../../../shared/api';
import { holdEvents, type HeldConnection } from './held-connection';
import { takeAccessToken } from './access-token';
import { createIpcConnection } from './ipc-connection';
import { connectReconnectingWebSocket, type LinkState, type ReconnectingConnection } from './ws-connection';

export interface EarlyConnection {
  client: ApiClient;
  connection: HeldConnection;
  /** The WebSocket link in browser mode, null under Electron's IPC. */
  ws: ReconnectingConnection | null;
  /** The link's latest state, for an app that subscribes after it changed; `opens` counts every
   * open so far (the first one's snapshot is `firstSnapshot`; any later one follows a drop). */
  state: { status: LinkState; detail: string; opens: number };
  /** The snapshot asked for on the first open (rejects as resync would). */
  firstSnapshot: Promise<ProjectSnapshot>;
  /** Why the link cannot work at all (no token), if so. A one-time code that cannot be redeemed
   * shows as the link's 'closed' state with the reason. */
  fatal: string | null;
}

export function startEarlyConnection(): EarlyConnection {
  let ws: ReconnectingConnection | null = null;
  let fatal: string | null = null;
  let inner;
  if (window.harness) {
    inner = createIpcConnection(window.harness);
  } else {
    const token = takeAccessToken();
    if (!token) fatal = 'no access token: open the link that `harness serve` printed';
    ws = connectReconnectingWebSocket(token ?? '');
    inner = ws;
  }
  const connection = holdEvents(inner);
  // The UI acknowledges log lines from xterm's write callback, not on arrival.
  const client = new ApiClient(connection, { autoAckLogs: false });
  const state: EarlyConnection['state'] = ws ? { status: 'connecting', detail: 'connecting', opens: 0 } : { status: 'open', detail: 'connected (IPC)', opens: 1 };
  let firstSnapshot: Promise<ProjectSnapshot>;
  if (ws) {
    let resolveOpen!: () => void;
    const opened = new Promise<void>((r) => (resolveOpen = r));
    ws.onState((status, detail) => {
      state.status = status;
      state.detail = detail;
      if (status !== 'open') return;
      state.opens++;
      resolveOpen();
    });
    firstSnapshot = opened.then(() => client.invoke('project.snapshot', {}));
  } else {
    firstSnapshot = client.invoke('project.snapshot', {});
  }
  // Handled by the app's resync; this only keeps an early failure from being "unhandled".
  firstSnapshot.catch(() => undefined);
  return { client, connection, ws, state, firstSnapshot, fatal };
}
