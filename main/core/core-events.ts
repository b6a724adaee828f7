// What the core tells its observers (the API dispatcher, the CLI's log printer, tests).
import type { HealthEvent, HostKeyEvent, LogLine, ProgressEvent, StatusEvent } from '../../shared/events.js';
import type { TargetType } from '../../shared/config-types.js';
import type { ServiceExecutor } from './executor.js';

export type CoreEvent =
  | { type: 'status'; event: StatusEvent }
  | { type: 'health'; event: HealthEvent }
  | { type: 'log'; line: LogLine }
  | { type: 'progress'; event: ProgressEvent }
  /** A start met a host whose key is unknown (from the executor that connects to it). */
  | { type: 'hostKey'; event: HostKeyEvent };

export type CoreListener = (event: CoreEvent) => void;

/** One executor per target type; a type without one fails to start with a clear message. */
export type ExecutorRegistry = ReadonlyMap<TargetType, ServiceExecutor>;

export interface StartFailure {
  service: string;
  reason: string;
}

/** Outcome of a start request: every requested service (and dependency) is in one list. */
export interface StartReport {
  ready: string[];
  failed: StartFailure[];
}

export interface ProjectChange {
  added: string[];
  removed: string[];
  changed: string[];
  /** Changed services that were running and were restarted with the new config. */
  restarted: string[];
  report: StartReport;
}
