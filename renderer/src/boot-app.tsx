// The app proper, loaded by the entry (main.tsx) once the link to the core is already opening:
// stores, terminal registry and controller, then React. The first snapshot was requested by the
// entry; here it is applied.
import '@xyflow/react/dist/style.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { collectLogHistory } from '../../shared/log-history';
import { AppController } from './actions/app-controller';
import { ControllerContext } from './actions/controller-context';
import { App } from './App';
import { TerminalsContext } from './logs/terminal-context';
import { TerminalRegistry } from './logs/terminal-registry';
import { createStores, StoresContext } from './stores/stores';
import { installTestHooks } from './test-hooks';
import type { EarlyConnection } from './transport/early-connection';

export function bootApp(early: EarlyConnection): void {
  const { client, ws } = early;
  const stores = createStores();
  const demoPath = document.querySelector<HTMLMetaElement>('meta[name="harness-demo"]')?.content || null;
  const terminals = new TerminalRegistry({
    ack: (n) => client.ackLogs(n),
    // Page by page: no single message is larger than a page, however much history there is.
    history: (service, limit) => collectLogHistory(client, service ? { services: [service], limit } : { limit }),
  });
  const controller = new AppController(client, stores, terminals, { demoPath });
  controller.attach();

  stores.connection.getState().set(early.state.status, early.state.detail);
  if (early.fatal) stores.connection.getState().set('closed', early.fatal);
  if (ws) {
    // The first open's snapshot is `firstSnapshot`; every later open follows a drop, so we missed
    // events: resync state and logs. (The entry's listener, registered first, has already counted
    // this open when ours runs.)
    ws.onState((state, detail) => {
      stores.connection.getState().set(state, detail);
      if (state === 'open' && early.state.opens > 1) void controller.recover();
    });
  }
  void controller.resync(early.firstSnapshot).then(() => terminals.resync());
  // Events held since the link opened go to the controller now that it listens (after the resync
  // above started, so a held 'project' event coalesces with it instead of discarding it).
  early.connection.release();

  // Hooks for the e2e specs and benches: only in the test build (see test-hooks.ts).
  if (import.meta.env.MODE === 'test-hooks') installTestHooks({ stores, controller, terminals, dropConnection: (holdMs?: number) => ws?.dropForTest(holdMs) });

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
