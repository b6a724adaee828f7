// Run domain: live state per service, fed only by events and snapshots. High rate; components
// select one service's entry so a change re-renders only that node.
import { createStore } from 'zustand/vanilla';
import type { HealthResult, ServiceState } from '../../../shared/service-state';

/** A failed step of a start that the status alone does not tell (an image pull, a build). */
export interface ProgressFailure {
  task: string;
  message: string;
  at: number;
}

export interface RunState {
  states: Record<string, ServiceState>;
  /** The latest failed step per service, until it next runs. */
  progressFailures: Record<string, ProgressFailure>;
  /** Highest status sequence applied. */
  seq: number;
  /** Reset from a snapshot (initial load, reconnect, gap). */
  reset(states: ServiceState[], seq: number): void;
  /** Applies one status event; returns false when a gap means a resync is needed. */
  applyStatus(seq: number, state: ServiceState): 'applied' | 'stale' | 'gap';
  /** Applies a batch of status events in one store update (one render for many events). */
  applyStatuses(events: ReadonlyArray<{ seq: number; state: ServiceState }>): 'applied' | 'stale' | 'gap';
  applyHealth(service: string, result: HealthResult): void;
  setProgressFailure(service: string, failure: ProgressFailure): void;
  /** A package transfer in progress per service (Wireguard deploys), for the node's bar. */
  transfers: Record<string, { current: number; total: number }>;
  applyTransfer(service: string, current: number, total: number, done: boolean): void;
}

/** A service that runs again has left its earlier failed steps behind. */
function clearRecovered(failures: Record<string, ProgressFailure>, states: Iterable<ServiceState>): Record<string, ProgressFailure> {
  let out = failures;
  for (const s of states) {
    if (out[s.name] && (s.status === 'running' || s.status === 'healthy')) {
      if (out === failures) out = { ...failures };
      delete out[s.name];
    }
  }
  return out;
}

export type RunStore = ReturnType<typeof createRunStore>;

export function createRunStore() {
  return createStore<RunState>()((set, get) => ({
    states: {},
    progressFailures: {},
    seq: 0,
    transfers: {},
    reset(states, seq) {
      set({ states: Object.fromEntries(states.map((s) => [s.name, s])), seq, progressFailures: clearRecovered(get().progressFailures, states) });
    },
    applyStatus(seq, state) {
      const current = get().seq;
      if (seq <= current) return 'stale';
      const gap = seq !== current + 1;
      // Apply anyway (it is the newest truth for this service); the caller resyncs on a gap.
      set({ seq, states: { ...get().states, [state.name]: state }, progressFailures: clearRecovered(get().progressFailures, [state]) });
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
      set({ seq, states, progressFailures: clearRecovered(get().progressFailures, events.map((e) => e.state)) });
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
    setProgressFailure(service, failure) {
      set({ progressFailures: { ...get().progressFailures, [service]: failure } });
    },
  }));
}
