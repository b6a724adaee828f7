import type { TargetType } from './config-types.js';

export type ServiceStatus =
  | 'stopped'
  | 'starting'
  | 'running'
  | 'healthy'
  | 'unhealthy'
  | 'stopping'
  | 'exited'
  | 'failed';

/** Ready means dependents may start: healthy, or running when the service has no health check. */
export function isReady(status: ServiceStatus, hasHealthCheck: boolean): boolean {
  return status === 'healthy' || (status === 'running' && !hasHealthCheck);
}

export interface HealthResult {
  ok: boolean;
  message: string;
  /** Epoch milliseconds. */
  at: number;
}

/** Everything the UI and `harness ps` show about one service. Sent whole on every change. */
export interface ServiceState {
  name: string;
  type: TargetType;
  status: ServiceStatus;
  /** Dependents may start. Set by the core, which alone knows every gate (own health check, an
   * image's HEALTHCHECK); clients use it rather than re-deriving readiness from the status. */
  ready?: boolean;
  health?: HealthResult;
  pid?: number;
  /** Container id, remote pid file, … whatever identifies the running instance. */
  instance?: string;
  exitCode?: number | null;
  signal?: string | null;
  restarts: number;
  /** Human-readable reason for failed/unhealthy/exited, e.g. "Docker engine not reachable at /var/run/docker.sock". */
  error?: string;
  /** Where other services reach it, as seen from this machine. */
  address?: string;
  ports?: number[];
  startedAt?: number;
  /** Set while a stop has waited a while for the service to exit: the signal sent, and when it
   * will be killed (epoch ms) if it has not exited by then. */
  stopWait?: { signal: string; since: number; killAt: number };
  updatedAt: number;
}
