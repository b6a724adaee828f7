// One bundle of fresh stores per app (and per test), handed down through context.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createConnectionStore, type ConnectionState } from './connection-store';
import { createGraphStore, type GraphState } from './graph-store';
import { createNetworkStore, type NetworkState } from './network-store';
import { createRunStore, type RunState } from './run-store';
import { createUiStore, type UiState } from './ui-store';

export interface Stores {
  graph: ReturnType<typeof createGraphStore>;
  run: ReturnType<typeof createRunStore>;
  ui: ReturnType<typeof createUiStore>;
  connection: ReturnType<typeof createConnectionStore>;
  network: ReturnType<typeof createNetworkStore>;
}

export function createStores(): Stores {
  return { graph: createGraphStore(), run: createRunStore(), ui: createUiStore(), connection: createConnectionStore(), network: createNetworkStore() };
}

export const StoresContext = createContext<Stores | null>(null);

function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('StoresContext missing');
  return stores;
}

export function useGraph<T>(selector: (s: GraphState) => T): T {
  return useStore(useStores().graph, selector);
}
export function useRun<T>(selector: (s: RunState) => T): T {
  return useStore(useStores().run, selector);
}
export function useUi<T>(selector: (s: UiState) => T): T {
  return useStore(useStores().ui, selector);
}
export function useConnection<T>(selector: (s: ConnectionState) => T): T {
  return useStore(useStores().connection, selector);
}
export function useNetwork<T>(selector: (s: NetworkState) => T): T {
  return useStore(useStores().network, selector);
}
/** The one selected node's id, or null when none or several are selected (the inspector's
 * subject). */
export function useSoleSelection(): string | null {
  return useStore(useStores().graph, (s) => {
    let one: string | null = null;
    for (const n of s.nodes) {
      if (!n.selected) continue;
      if (one !== null) return null;
      one = n.id;
    }
    return one;
  });
}
/** The link to the core is down after having been up: what is shown may be stale, and nothing
 * that needs the core can act. */
export function useOffline(): boolean {
  return useStore(useStores().connection, (s) => s.ready && s.status !== 'open');
}
