// The manager's private record of one service: its published state plus the handles of
// whatever is in flight for it (start, stop, health monitor, restart timer).
import type { ServiceConfig } from '../../shared/config-types.js';
import type { ServiceState } from '../../shared/service-state.js';
import type { HealthMonitor } from '../health/health-monitor.js';
import type { RunningInstance } from './executor.js';

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
  /** Health verdict: this instance never passed its check. */
  neverHealthy: boolean;
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
    neverHealthy: false,
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

/** Config equality for setProject; UI hints (positions) never require a restart. */
export function sameRuntimeConfig(a: ServiceConfig, b: ServiceConfig): boolean {
  const strip = ({ ui: _ui, ...rest }: ServiceConfig) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
