// The seam between the orchestrator and the places services run. One implementation per target
// type, each in its own folder under main/executors/, listed once in main/executors/registry.ts.
// The core and the project runtime know executors only through this interface: what an executor
// adds to the network model, how it recovers, force-kills and lets go of connections is here as
// optional members, each with the default the core applies when a member is absent.
import type { HealthCheck, ProjectConfig, ServiceConfig, TargetType } from '../../shared/config-types.js';
import type { HostKeyEvent, LogStream, ProgressEvent } from '../../shared/events.js';
import type { RemoteHostInfo, ResolvedEdge, ServiceLocation, TopologyContribution, WireGuardTopology } from '../../shared/network-types.js';
import type { HealthResult, RemoteEndpoint } from '../../shared/service-state.js';
import type { LocationKind, LocationResolver } from '../network/location-resolver.js';
import type { LocationPatch } from '../network/network-manager.js';

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
  /**
   * How well the instance can be observed, for instances on another host: the listener is called
   * at once with the current condition and again on every change (the host's connection lost,
   * back). While `reachable` is false the service's status is `unknown`, with the reason. Returns
   * the unsubscribe function. Default: always reachable.
   */
  conditions?(listener: (condition: InstanceCondition) => void): () => void;
}

export interface InstanceCondition {
  /** False while the instance cannot be observed (its host does not answer). */
  reachable: boolean;
  /** Why it cannot be observed. */
  reason?: string;
  /** Where a remote instance runs and how its connection is (shown in the service's state). */
  remote?: RemoteEndpoint;
}

export interface StopOptions {
  signal: string;
  graceMs: number;
}

/** A resolver an executor registers for one (from kind, to kind) pair of locations. */
export interface ContributedResolver {
  from: LocationKind;
  to: LocationKind;
  resolver: LocationResolver;
}

export interface ResolverContext {
  /** An edge whose address may not connect (a process on 127.0.0.1 only…): the project runtime
   * writes it as a system log line of the dependent `from`. */
  onWarning(from: string, to: string, warning: string): void;
  /** How this machine reaches a service (the NetworkManager's host view, e.g. a container's
   * published port once it runs): for resolvers that bridge to it from elsewhere. */
  fromHost?(name: string): ResolvedEdge | undefined;
}

export interface ServiceExecutor {
  readonly type: TargetType;
  /** Resolves once the service is launched (not ready); rejects with a HarnessError when it cannot be. */
  start(service: ServiceConfig, ctx: ExecutorContext): Promise<RunningInstance>;
  /** Sends the stop signal, waits up to graceMs, then kills; resolves with how it ended. */
  stop(service: ServiceConfig, instance: RunningInstance, opts: StopOptions): Promise<ExitInfo>;
  /**
   * A restart hands the running instance over instead of stopping it: the executor stops
   * reporting it (it keeps running), and the start that follows replaces it once the new one is
   * ready to take over — a Wireguard deploy sends and unpacks the new release while the old one
   * serves, and stops it at the switch. Default: absent, a restart stops first.
   */
  handOver?(service: ServiceConfig, instance: RunningInstance): Promise<void>;
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
  /** Resolvers for the location pairs this executor knows how to connect (Docker networks, SSH
   * tunnels…), registered with the project's NetworkManager, replacing built-ins for the same
   * pair. Default: none; the built-in local resolvers apply. */
  locationResolvers?(ctx: ResolverContext): ContributedResolver[];
  /** Where a service of this type runs before it starts. Default: the NetworkManager's location
   * for the target type (`local`, the project's Docker network, `lan`/`wireguard` at its host). */
  locationOf?(service: ServiceConfig, project: ProjectConfig): ServiceLocation | undefined;
  /** What became known about the location once an instance runs (a container's IP, the tunnel
   * interface that reaches a peer). Default: the location stays as registered. */
  locate?(service: ServiceConfig, instance: RunningInstance): LocationPatch | undefined;
  /** What this executor knows about the networks it runs services on, for the topology view: the
   * Docker executor's project network (subnet, gateway); hosts come from `hosts()`. Asked on every
   * `network.topology`, bounded in time by the NetworkManager (a slow or failing one is left out).
   * Default: nothing beyond the locations. */
  topology?(project: ProjectConfig): TopologyContribution | undefined | Promise<TopologyContribution | undefined>;
  /** Second Ctrl-C: end the instance now, without waiting for a grace period; the stop already
   * in progress then sees it exit. Default: nothing (the regular stop keeps its grace period). */
  forceKill?(service: ServiceConfig, instance: RunningInstance): void;
  /** Stops and removes whatever this executor left for the project while no supervisor runs
   * (`harness down`, or opening a file that no longer validates). Resolves false when something
   * could not be stopped (said through `report`). Default: nothing to clean, true. */
  cleanup?(req: CleanupRequest): Promise<boolean>;
  /** The hosts this executor connects to, for the topology (addresses, how each sees this
   * machine, the connection). Default: none. */
  hosts?(): RemoteHostInfo[];
  /** Reports a start that met a host whose key is unknown (the key included), so the app can ask
   * the user. Returns the unsubscribe function. */
  onHostKey?(listener: (event: HostKeyEvent) => void): () => void;
  /** Trusts a key this executor reported through onHostKey (matched by host, port, fingerprint):
   * appended to known_hosts. NOT_FOUND when no such key was reported. */
  trustHostKey?(req: { host: string; port: number; fingerprint: string }): Promise<{ file: string; line: string }>;
  /** This machine's WireGuard tunnels as last detected, for the topology. Default: none. */
  wireguard?(): WireGuardTopology | undefined;
  /**
   * Makes the service's previous release the one it runs (`harness rollback`): the executor
   * switches (or arranges that its next start uses) the previous release; the caller restarts
   * the service when it runs. NOT_FOUND when there is no previous release. Default: none (the
   * target has no releases).
   */
  rollback?(service: ServiceConfig, ctx: RollbackContext): Promise<RollbackResult>;
  /** Lets go of what the executor holds open (log follows, exit waits, connections), so the
   * hosting process can end. Running instances are not touched. Default: nothing to release. */
  dispose?(): void | Promise<void>;
}

export interface RollbackContext {
  project: ProjectConfig;
  stateDir: string;
  /** The service runs now: it is restarted after this (its next start runs the release). */
  running: boolean;
  signal?: AbortSignal;
}

export interface RollbackResult {
  /** The release that was current. */
  from: string;
  /** The release now current (or current at the restart). */
  to: string;
  /** A release of a service that is not running here still runs on its host (left by an earlier
   * supervisor, or by a failed deploy): the caller starts the service, which replaces that run. */
  needsStart?: boolean;
}

export interface CleanupRequest {
  /** Absolute path of services.yaml. */
  file: string;
  /** The project's name (from the file, or its directory when the file does not validate). */
  project: string;
  stateDir: string;
  /** null when the file no longer validates: what is left is found by state files and labels. */
  config: ProjectConfig | null;
  /** `harness down -v`: also remove named volumes and other data the project keeps. */
  removeVolumes: boolean;
  /** One human-readable line per action ("removed container x", "api: stopped group 4242"). */
  report(line: string): void;
}

export interface RecoveryReport {
  adopted: Map<string, RunningInstance>;
  /** Human-readable lines: "api: stopped leftover process group 4242 (started 18:01:02)". */
  cleaned: string[];
}
