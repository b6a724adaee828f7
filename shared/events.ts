import type { ConfigProblem } from './config-types.js';
import type { HealthResult, ServiceState } from './service-state.js';

export type LogStream = 'stdout' | 'stderr' | 'system';

export interface LogLine {
  service: string;
  stream: LogStream;
  /** Epoch milliseconds when the core received it. */
  ts: number;
  /** One line without its trailing newline. */
  line: string;
  /** Per-service line counter, so gaps (dropped lines) are visible to readers. */
  n: number;
}

/** Status changes carry a global sequence number; a client that sees a gap resyncs from a snapshot. */
export interface StatusEvent {
  seq: number;
  state: ServiceState;
}

export interface HealthEvent {
  seq: number;
  service: string;
  result: HealthResult;
}

export interface LogBatch {
  lines: LogLine[];
  /** Lines a slow subscriber did not receive, per service; never a silent loss. */
  dropped?: Record<string, number>;
}

export interface ProgressEvent {
  service: string;
  /** e.g. 'pull', 'build', 'deploy', 'transfer'. */
  task: string;
  /** Layer id, file name… for tasks with parts. */
  item?: string;
  message: string;
  current?: number;
  total?: number;
  done?: boolean;
  error?: string;
}

export interface ProjectEvent {
  kind: 'opened' | 'changed' | 'saved' | 'closed';
  file: string | null;
  problems: ConfigProblem[];
  /** The file changed on disk: 'reloaded' (no unsaved edits, the draft follows it) or
   * 'conflict' (unsaved edits: the snapshot's `conflict` asks what to do). */
  disk?: 'reloaded' | 'conflict';
}

/**
 * A start met a host whose key is in no known_hosts file. Carries the key, so a prompt can show
 * its type and fingerprint and `hosts.trust` can trust exactly that key; the start is retried by
 * the client once trusted.
 */
export interface HostKeyEvent {
  host: string;
  port: number;
  user: string;
  /** As OpenSSH prints it: ED25519, ECDSA, RSA. */
  keyType: string;
  /** `SHA256:` and unpadded base64, as `ssh-keygen -lf` shows it. */
  fingerprint: string;
  /** `type base64`. */
  publicKey: string;
  /** The services whose start failed on it. */
  services: string[];
  /** The refusal as a user reads it (which files were searched, how to trust it). */
  message: string;
  at: number;
}

export interface ApiEvents {
  status: StatusEvent;
  health: HealthEvent;
  logs: LogBatch;
  progress: ProgressEvent;
  project: ProjectEvent;
  hostKey: HostKeyEvent;
}

export type ApiEventName = keyof ApiEvents;
export const API_EVENT_NAMES: readonly ApiEventName[] = ['status', 'health', 'logs', 'progress', 'project', 'hostKey'];
