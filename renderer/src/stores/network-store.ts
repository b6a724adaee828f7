// Network domain: the core's topology (locations, resolved edges, networks, hosts), refetched by
// the network actions when the stack changes. Low rate; the graph's edges select their own entry.
import { createStore } from 'zustand/vanilla';
import { edgeId } from '../../../shared/graph/graph-model';
import type { ResolvedEdge, TopologySnapshot } from '../../../shared/network-types';

export interface NetworkState {
  topology: TopologySnapshot | null;
  /** Resolved edges by `dependency->dependent`, the id the graph store gives its edges. */
  edges: Map<string, ResolvedEdge>;
  error: string | null;
  set(topology: TopologySnapshot): void;
  fail(error: string): void;
}

export type NetworkStore = ReturnType<typeof createNetworkStore>;

/** The graph's edge id for the dependency `to` of `from`. */
export const graphEdgeId = (e: Pick<ResolvedEdge, 'from' | 'to'>): string => edgeId(e.to, e.from);

export function createNetworkStore() {
  return createStore<NetworkState>()((set, get) => ({
    topology: null,
    edges: new Map(),
    error: null,
    set(topology) {
      // The same answer again (a refetch after a status change that moved nothing) keeps every
      // object, so nothing that selects from it re-renders.
      const old = get().topology;
      if (old && JSON.stringify(old) === JSON.stringify(topology)) {
        if (get().error !== null) set({ error: null });
        return;
      }
      const prev = get().edges;
      const edges = new Map<string, ResolvedEdge>();
      for (const e of topology.edges) {
        const id = graphEdgeId(e);
        const before = prev.get(id);
        edges.set(id, before && JSON.stringify(before) === JSON.stringify(e) ? before : e);
      }
      set({ topology, edges, error: null });
    },
    fail: (error) => set({ error }),
  }));
}
