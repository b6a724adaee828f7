import type { TargetType } from './config-types.js';

export type ServiceStatus =
  | 'stopped'
  | 'starting'
  | 'running'
  | 'healthy'
  | 'unhealthy'
  | 'stopping'
  | 'exited'
  | 'failed'
  /** Running somewhere this machine cannot see right now (its host's connection is lost); the
   * error says why. Back to running (or exited) once the host answers again. */
  | 'unknown';

/** The state of the SSH connection to a host (RemoteLan, Wireguard). */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'lost' | 'reconnecting' | 'closed';

/** Where a remote service runs and how its host's connection is. */
export interface RemoteEndpoint {
  /** `user@host:port`, the connection's name in messages and the topology. */
  key: string;
  host: string;
  port: number;
  user: string;
  connection: ConnectionState;
  /** Why it is not connected (lost, reconnecting, closed). */
  reason?: string;
}

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
  /** RemoteLan (and Wireguard) services: the host and its connection, while an instance runs. */
  remote?: RemoteEndpoint;
}
