// Connection domain: link to the core (WebSocket or IPC) and whether the view is in sync.
import { createStore } from 'zustand/vanilla';

export type LinkStatus = 'connecting' | 'open' | 'closed';

export interface ConnectionState {
  status: LinkStatus;
  detail: string;
  /** How many times the view was resynchronised from a snapshot (shown for diagnostics, read by e2e). */
  resyncs: number;
  /** False until the first snapshot arrived. */
  ready: boolean;
  set(status: LinkStatus, detail: string): void;
  markSynced(): void;
}

export type ConnectionStore = ReturnType<typeof createConnectionStore>;

export function createConnectionStore() {
  return createStore<ConnectionState>()((set, get) => ({
    status: 'connecting',
    detail: 'connecting',
    resyncs: 0,
    ready: false,
    set: (status, detail) => set({ status, detail }),
    markSynced: () => set({ ready: true, resyncs: get().resyncs + 1 }),
  }));
}
