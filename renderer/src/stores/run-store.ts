// Run domain: live state per service, fed only by events and snapshots. High rate; components
// select one service's entry so a change re-renders only that node.
import { createStore } from 'zustand/vanilla';
import type { HealthResult, ServiceState } from '../../../shared/service-state';

export interface RunState {
  states: Record<string, ServiceState>;
  /** Highest status sequence applied. */
  seq: number;
  /** Reset from a snapshot (initial load, reconnect, gap). */
  reset(states: ServiceState[], seq: number): void;
  /** Applies one status event; returns false when a gap means a resync is needed. */
  applyStatus(seq: number, state: ServiceState): 'applied' | 'stale' | 'gap';
  /** Applies a batch of status events in one store update (one render for many events). */
  applyStatuses(events: ReadonlyArray<{ seq: number; state: ServiceState }>): 'applied' | 'stale' | 'gap';
  applyHealth(service: string, result: HealthResult): void;
  /** A package transfer in progress per service (Wireguard deploys), for the node's bar. */
  transfers: Record<string, { current: number; total: number }>;
  applyTransfer(service: string, current: number, total: number, done: boolean): void;
}

export type RunStore = ReturnType<typeof createRunStore>;

export function createRunStore() {
  return createStore<RunState>()((set, get) => ({
    states: {},
    seq: 0,
    transfers: {},
    reset(states, seq) {
      set({ states: Object.fromEntries(states.map((s) => [s.name, s])), seq });
    },
    applyStatus(seq, state) {
      const current = get().seq;
      if (seq <= current) return 'stale';
      const gap = seq !== current + 1;
      // Apply anyway (it is the newest truth for this service); the caller resyncs on a gap.
      set({ seq, states: { ...get().states, [state.name]: state } });
      return gap ? 'gap' : 'applied';
    },
    applyStatuses(events) {
      let seq = get().seq;
      let gap = false;
      let states: Record<string, ServiceState> | null = null;
      for (const e of events) {
        if (e.seq <= seq) continue;
        if (e.seq !== seq + 1) gap = true;
        seq = e.seq;
        states ??= { ...get().states };
        states[e.state.name] = e.state;
      }
      if (!states) return 'stale';
      set({ seq, states });
      return gap ? 'gap' : 'applied';
    },
    applyTransfer(service, current, total, done) {
      const { [service]: _gone, ...rest } = get().transfers;
      set({ transfers: done ? rest : { ...rest, [service]: { current, total } } });
    },
    applyHealth(service, result) {
      const s = get().states[service];
      if (!s) return;
      set({ states: { ...get().states, [service]: { ...s, health: result } } });
    },
  }));
}
