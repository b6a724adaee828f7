// The seam between the orchestrator and the places services run. One implementation per target
// type: ProcessExecutor (local), DockerExecutor, RemoteExecutor (RemoteLan over SSH) and
// PackageDeployer-backed Wireguard execution.
import type { HealthCheck, ProjectConfig, ServiceConfig, TargetType } from '../../shared/config-types.js';
import type { LogStream, ProgressEvent } from '../../shared/events.js';
import type { HealthResult } from '../../shared/service-state.js';

export interface ExitInfo {
  /** null when ended by a signal or when the code is unknown (e.g. an adopted process). */
  code: number | null;
  signal: string | null;
  /** Set when the service never ran or could not be observed, e.g. "binary not found: ./srv". */
  error?: string;
}

export interface ExecutorContext {
  project: ProjectConfig;
  /** Per-project state directory (owner-only), for state files the executor keeps. */
  stateDir: string;
  /** Variables injected by the NetworkManager (`<DEP>_ADDR`, `<DEP>_PORT`, …); the executor
   * merges them under the service's own env (the service's own values win). */
  injectedEnv: Record<string, string>;
  /** Raw output; the LogStore splits it into lines per stream. */
  log(stream: LogStream, chunk: string | Buffer): void;
  progress(p: Omit<ProgressEvent, 'service'>): void;
  /** Aborted when the start is cancelled (stop requested, supervisor shutting down). */
  signal: AbortSignal;
}

export interface RunningInstance {
  /** Stable id of this run: pid, container id, remote pid… */
  id: string;
  pid?: number;
  /** Address at which this instance is reached from this machine, when known (e.g. container IP). */
  address?: string;
  /** Resolves once when the instance ends, however it ends. Never rejects. */
  exited: Promise<ExitInfo>;
  /** True when the instance was found running from an earlier supervisor rather than started now. */
  adopted?: boolean;
}

export interface StopOptions {
  signal: string;
  graceMs: number;
}

export interface ServiceExecutor {
  readonly type: TargetType;
  /** Resolves once the service is launched (not ready); rejects with a HarnessError when it cannot be. */
  start(service: ServiceConfig, ctx: ExecutorContext): Promise<RunningInstance>;
  /** Sends the stop signal, waits up to graceMs, then kills; resolves with how it ended. */
  stop(service: ServiceConfig, instance: RunningInstance, opts: StopOptions): Promise<ExitInfo>;
  /** Runs one probe of tcp/http/command checks where they make sense for this target. Log-line
   * checks are evaluated by the manager and never reach here. */
  healthCheck(
    service: ServiceConfig,
    instance: RunningInstance,
    check: Exclude<HealthCheck, { type: 'log' }>,
    signal: AbortSignal,
  ): Promise<HealthResult>;
  /** Recent output kept by the target itself (container logs, remote log file), newest last. */
  getLogs(service: ServiceConfig, opts: { tail: number }): Promise<Array<{ stream: LogStream; line: string }>>;
  /**
   * Follows the target's own health signal, e.g. a Docker image's HEALTHCHECK through the
   * engine's health_status events. Used only for a service that declares no `health_check`: it is
   * then ready when this reports healthy, not when it is running. Calls `onResult` with each
   * result (the engine's message included); resolves false at once when the instance has no such
   * signal (the service is then ready once running), true when `signal` aborts or the watch ends.
   */
  watchNativeHealth?(
    service: ServiceConfig,
    instance: RunningInstance,
    onResult: (result: HealthResult) => void,
    signal: AbortSignal,
  ): Promise<boolean>;
  /** Resolves once whatever start() recorded for crash recovery (state files) has reached the
   * disk. start() may report an instance before that (the write must not delay dependents); the
   * manager calls this before a start request reports its services ready. */
  flush?(stateDir: string): Promise<void>;
  /** Finds instances left by an earlier supervisor of this project (state files, labels), and
   * either returns them for adoption or cleans them up, as the executor's policy says. */
  recover?(project: ProjectConfig, stateDir: string): Promise<RecoveryReport>;
}

export interface RecoveryReport {
  adopted: Map<string, RunningInstance>;
  /** Human-readable lines: "api: stopped leftover process group 4242 (started 18:01:02)". */
  cleaned: string[];
}
