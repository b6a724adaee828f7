// Boot: pick the transport (Electron preload bridge, else the WebSocket of `harness serve`), build
// the client, stores, terminal registry and controller, and render.
import '@xyflow/react/dist/style.css';
import '@xterm/xterm/css/xterm.css';
import './styles/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiClient } from '../../shared/api-client';
import { AppController } from './actions/app-controller';
import { ControllerContext } from './actions/controller-context';
import { App } from './App';
import { renderCounts } from './graph/nodes/shared/status-style';
import { TerminalsContext } from './logs/terminal-context';
import { TerminalRegistry } from './logs/terminal-registry';
import { createStores, StoresContext } from './stores/stores';
import { takeAccessToken } from './transport/access-token';
import { createIpcConnection } from './transport/ipc-connection';
import { connectReconnectingWebSocket, type ReconnectingConnection } from './transport/ws-connection';

const stores = createStores();
const demoPath = document.querySelector<HTMLMetaElement>('meta[name="harness-demo"]')?.content || null;

function boot(): void {
  // Marks for the benches (performance.getEntriesByType('mark')): boot, snapshot, first graph paint.
  performance.mark('harness:boot');
  let ws: ReconnectingConnection | null = null;
  let connection;
  if (window.harness) {
    connection = createIpcConnection(window.harness);
  } else {
    const token = takeAccessToken();
    if (!token) {
      stores.connection.getState().set('closed', 'no access token: open the URL that `harness serve` printed');
    }
    ws = connectReconnectingWebSocket(token ?? '');
    connection = ws;
  }
  // The UI acknowledges log lines from xterm's write callback, not on arrival.
  const client = new ApiClient(connection, { autoAckLogs: false });
  const terminals = new TerminalRegistry({
    ack: (n) => client.ackLogs(n),
    history: (service, limit) => client.invoke('logs.history', service ? { service, limit } : { limit }),
  });
  const controller = new AppController(client, stores, terminals, { demoPath });
  controller.attach();

  if (ws) {
    let everOpen = false;
    ws.onState((state, detail) => {
      stores.connection.getState().set(state, detail);
      if (state === 'open') {
        // First open: initial sync. Later opens: we missed events, so resync state and logs.
        void (everOpen ? controller.recover() : controller.resync().then(() => terminals.resync()));
        everOpen = true;
      }
    });
  } else {
    stores.connection.getState().set('open', 'connected (IPC)');
    void controller.resync().then(() => terminals.resync());
  }

  // Hooks for the e2e specs and benches (same-origin scripts only, under the CSP).
  Object.assign(window, {
    __harness: {
      stores,
      controller,
      terminals,
      renderCounts,
      dropConnection: () => ws?.dropForTest(),
      /** Puts flow point (x, y) at the top-left corner of the graph at `zoom`. */
      zoomForBench: (v: { x: number; y: number; zoom: number }) => controller.viewport?.setViewport({ x: 40 - v.x * v.zoom, y: 40 - v.y * v.zoom, zoom: v.zoom }),
    },
  });

  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <StoresContext.Provider value={stores}>
        <ControllerContext.Provider value={controller}>
          <TerminalsContext.Provider value={terminals}>
            <App />
          </TerminalsContext.Provider>
        </ControllerContext.Provider>
      </StoresContext.Provider>
    </StrictMode>,
  );
}

boot();
