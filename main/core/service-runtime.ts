// The manager's private record of one service: its published state plus the handles of
// whatever is in flight for it (start, stop, health monitor, restart timer).
import type { ServiceConfig } from '../../shared/config-types.js';
import { isReady, type ServiceState } from '../../shared/service-state.js';
import type { HealthMonitor, HealthVerdict } from './health-monitor.js';
import type { RunningInstance } from './executor.js';
import type { Outcome } from './start-run.js';

export interface ServiceRuntime {
  config: ServiceConfig;
  state: ServiceState;
  instance: RunningInstance | null;
  /** Incremented on every launch/adoption; callbacks of older instances check it and drop out. */
  generation: number;
  /** The executor's start is in flight. */
  launching: Promise<void> | null;
  startAbort: AbortController | null;
  /** Set synchronously when a stop is requested, so an exit in between is not seen as a crash. */
  stopRequested: boolean;
  stopping: Promise<void> | null;
  monitor: HealthMonitor | null;
  /** A verdict that arrived before the executor's start resolved (a log line printed at once). */
  earlyVerdict: HealthVerdict | null;
  /** Health verdict: this instance never passed its check. */
  neverHealthy: boolean;
  /** No health_check, but the executor may report the target's own health (a Docker image's
   * HEALTHCHECK): not ready while running until that health says healthy, or until the executor
   * says there is none (then this turns false). */
  nativeGate: boolean;
  restartTimer: NodeJS.Timeout | null;
  stableTimer: NodeJS.Timeout | null;
  /** Restarts since the service last became healthy (or ran stably); drives backoff. */
  consecutive: number;
}

export function newRuntime(config: ServiceConfig, now: number): ServiceRuntime {
  return {
    config,
    state: { name: config.name, type: config.target.type, status: 'stopped', restarts: 0, updatedAt: now },
    instance: null,
    generation: 0,
    launching: null,
    startAbort: null,
    stopRequested: false,
    stopping: null,
    monitor: null,
    earlyVerdict: null,
    neverHealthy: false,
    nativeGate: false,
    restartTimer: null,
    stableTimer: null,
    consecutive: 0,
  };
}

export function clearTimers(rt: ServiceRuntime): void {
  if (rt.restartTimer) clearTimeout(rt.restartTimer);
  if (rt.stableTimer) clearTimeout(rt.stableTimer);
  rt.restartTimer = null;
  rt.stableTimer = null;
}

/** What a new config adds, removes and changes compared with the current runtimes. */
export function diffServices(
  current: ReadonlyMap<string, ServiceRuntime>,
  next: readonly ServiceConfig[],
): { added: string[]; removed: string[]; changed: string[] } {
  const nextNames = new Set(next.map((s) => s.name));
  return {
    added: next.filter((s) => !current.has(s.name)).map((s) => s.name),
    removed: [...current.keys()].filter((n) => !nextNames.has(n)),
    changed: next.filter((s) => {
      const rt = current.get(s.name);
      return rt !== undefined && !sameRuntimeConfig(s, rt.config);
    }).map((s) => s.name),
  };
}

/** Config equality for setProject; UI hints (positions) never require a restart. */
export function sameRuntimeConfig(a: ServiceConfig, b: ServiceConfig): boolean {
  const strip = ({ ui: _ui, ...rest }: ServiceConfig) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** How a start request sees the service right now. */
export function outcomeOf(rt: ServiceRuntime): Outcome {
  const s = rt.state;
  if (isReady(s.status, rt.config.health_check !== undefined || rt.nativeGate)) return { kind: 'ready' };
  switch (s.status) {
    case 'starting':
    case 'running':
      return { kind: 'busy' };
    case 'unhealthy':
      return rt.neverHealthy ? { kind: 'broken', reason: s.error ?? 'never became healthy' } : { kind: 'busy', unhealthy: s.error ?? 'unhealthy' };
    case 'stopping':
      return { kind: 'stopping' };
    case 'exited':
      if (rt.restartTimer) return { kind: 'busy' };
      return { kind: 'down', reason: s.error ?? (s.exitCode === 0 ? 'exited with code 0 before it was ready' : 'exited') };
    case 'failed':
      return { kind: 'down', reason: s.error ?? 'failed' };
    default:
      return { kind: 'down', reason: 'stopped before it was ready' };
  }
}
