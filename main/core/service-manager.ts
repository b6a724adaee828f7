// The orchestrator core: starts services in dependency order (each the moment its dependencies
// are ready), stops them dependents-first, adopts what an earlier supervisor left, swaps the
// configuration, and publishes every change as an event. Transports (CLI, socket, IPC) sit on top.
//
// Each service's own life (launch, health, exit and restart, stop) is a ServiceLifecycle; this
// class coordinates them. Everything is event-driven: each status event is followed
// synchronously by the start requests' evaluation (StartRuns), so no timer sits between
// "dependency ready" and "dependent spawned".
import type { ProjectConfig } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import type { ServiceState } from '../../shared/service-state.js';
import type { LogStore } from '../logs/log-store.js';
import type { NetworkManager } from '../network/network-manager.js';
import { CoreEventBus } from './core-event-bus.js';
import type { CoreListener, ExecutorRegistry, ProjectChange, StartReport } from './core-events.js';
import type { ServiceExecutor } from './executor.js';
import { DependencyGraph } from './dependency-graph.js';
import { recoverLeftovers } from './leftover-recovery.js';
import { diffServices } from './project-diff.js';
import { ServiceLifecycle, type LifecycleContext } from './service-lifecycle.js';
import { checkServiceNames } from '../../shared/service-names.js';
import { StartRun, StartRuns, type RunHost } from './start-run.js';

export interface ServiceManagerDeps {
  project: ProjectConfig;
  executors: ExecutorRegistry;
  network: NetworkManager;
  logs: LogStore;
  stateDir: string;
  now?: () => number;
}

/** Log lines that belong to no service (recovery of unknown leftovers) use this name. */
export const HARNESS_LOG = '_harness';

export class ServiceManager {
  private projectConfig: ProjectConfig;
  private graph: DependencyGraph;
  private readonly services = new Map<string, ServiceLifecycle>();
  private readonly bus = new CoreEventBus();
  private readonly runs = new StartRuns();
  /** What the lifecycles share: the executors, network, logs and bus, and the way back here. */
  private readonly ctx: LifecycleContext;
  private readonly runHost: RunHost;
  private readonly unsubscribeLogs: () => void;
  private closed = false;

  constructor(deps: ServiceManagerDeps) {
    const { executors, network, logs, stateDir } = deps;
    this.projectConfig = deps.project;
    this.graph = new DependencyGraph(deps.project.services);
    this.ctx = {
      executors,
      network,
      logs,
      bus: this.bus,
      stateDir,
      now: deps.now ?? Date.now,
      project: () => this.projectConfig,
      closed: () => this.closed,
      changed: (name) => this.runs.changed(name),
    };
    this.runHost = {
      graph: () => this.graph,
      outcome: (name) => this.lifecycle(name).outcome(),
      launch: (name) => this.lifecycle(name).launch(),
      waiting: (service, dependency, detail) => logs.system(service, `waiting for ${dependency} (unhealthy: ${detail})`),
    };
    network.setProjectName(deps.project.name);
    for (const s of deps.project.services) {
      this.services.set(s.name, new ServiceLifecycle(s, this.ctx));
      network.registerService(s);
    }
    this.unsubscribeLogs = logs.onLine((line) => this.bus.emit({ type: 'log', line }));
  }

  get project(): ProjectConfig {
    return this.projectConfig;
  }

  /** Subscribes to every core event; returns the unsubscribe function. */
  on(listener: CoreListener): () => void {
    return this.bus.on(listener);
  }

  /** Highest sequence number handed out so far (for snapshots). */
  get lastSeq(): number {
    return this.bus.lastSeq;
  }

  states(): ServiceState[] {
    return this.graph.names.map((n) => this.lifecycle(n).snapshot());
  }

  getServiceStatus(name: string): ServiceState {
    this.checkNames([name]);
    return this.lifecycle(name).snapshot();
  }

  /** Starts one service and, first, its dependencies. */
  startService(name: string): Promise<StartReport> {
    return this.start([name]);
  }

  async stopService(name: string): Promise<void> {
    this.checkNames([name]);
    return this.lifecycle(name).stop();
  }

  /**
   * Starts the named services (all when omitted) and their dependencies. Resolves when each of
   * them is ready or has failed; a dependent of a failed service is reported failed, not started.
   */
  async start(names?: string[]): Promise<StartReport> {
    // Everything up to the first launch runs synchronously inside this call.
    this.assertOpen();
    if (names) this.checkNames(names);
    const run = new StartRun(this.runHost, names ?? this.graph.names);
    for (const n of run.closure) this.lifecycle(n).freshChance();
    const report = await this.runs.track(run);
    // Executors may write their crash-recovery records just behind the spawn (so no dependent
    // waits for a disk write); "ready" is promised only once those records are on disk, so a
    // supervisor killed right after `up -d` returned still leaves its processes findable.
    await this.flushExecutors();
    return report;
  }

  /**
   * Stops the named services (all when omitted) and, before each, whatever depends on it.
   * Services stop in parallel where the graph allows, each once its dependents are down.
   */
  async stop(names?: string[]): Promise<{ stopped: string[] }> {
    if (names) this.checkNames(names);
    const set = names ? this.graph.withDependents(names) : new Set(this.graph.names);
    this.runs.cancel(set, 'stop requested before it started');
    await this.stopInOrder(set);
    return { stopped: this.graph.ordered(set) };
  }

  /** Stops the named services (dependents keep running, as with `docker compose restart`) and starts them again. */
  async restart(names: string[]): Promise<StartReport> {
    this.assertOpen();
    this.checkNames(names);
    const set = new Set(names);
    await this.stopInOrder(set, set);
    for (const n of set) this.lifecycle(n).resetRestarts();
    return this.start([...set]);
  }

  /**
   * Swaps the configuration. Removed services are stopped; changed services that are running are
   * stopped and started again with the new config; stopped ones just take the new config.
   */
  async setProject(project: ProjectConfig): Promise<ProjectChange> {
    this.assertOpen();
    const nextGraph = new DependencyGraph(project.services);
    const { added, removed, changed } = diffServices(this.services, project.services);
    const toRestart = changed.filter((n) => this.lifecycle(n).active);
    await this.stopInOrder(new Set([...removed, ...toRestart]), new Set(toRestart));

    const { network } = this.ctx;
    this.projectConfig = project;
    this.graph = nextGraph;
    network.setProjectName(project.name);
    for (const n of removed) {
      this.services.get(n)?.dispose();
      this.services.delete(n);
      network.unregisterService(n);
    }
    for (const s of project.services) {
      const had = this.services.get(s.name);
      // A re-registered service keeps what was learned (e.g. a container IP) if its type is unchanged.
      const learned = had && had.config.target.type === s.target.type ? network.location(s.name) : undefined;
      if (had) had.config = s;
      else this.services.set(s.name, new ServiceLifecycle(s, this.ctx));
      network.registerService(s, learned);
    }
    for (const n of added) this.lifecycle(n).announce();
    const report = toRestart.length > 0 ? await this.start(toRestart) : { ready: [], failed: [] };
    return { added, removed, changed, restarted: toRestart, report };
  }

  /**
   * Asks every executor for instances left by an earlier supervisor. Adopted ones become running
   * (and are health-checked); what the executors cleaned up is logged as system lines.
   */
  async recover(): Promise<{ adopted: string[]; cleaned: string[] }> {
    this.assertOpen();
    return recoverLeftovers({
      executors: this.executorSet(),
      project: this.projectConfig,
      stateDir: this.ctx.stateDir,
      logs: this.ctx.logs,
      fallbackLog: HARNESS_LOG,
      has: (name) => this.services.has(name),
      adopt: (name, instance) => {
        const service = this.services.get(name);
        if (!service || service.occupied) return false;
        service.adopt(instance);
        return true;
      },
    });
  }

  /** Second Ctrl-C: every executor that can ends its running instances now; the stops already
   * in progress see them exit. */
  forceKill(): void {
    for (const service of this.services.values()) service.forceKill();
  }

  /** Stops everything in reverse dependency order, then releases timers and subscriptions. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.stop();
    this.closed = true;
    for (const service of this.services.values()) service.dispose();
    this.unsubscribeLogs();
    this.bus.clear();
  }

  private async flushExecutors(): Promise<void> {
    for (const executor of this.executorSet()) {
      await executor.flush?.(this.ctx.stateDir).catch((err: Error) => {
        this.ctx.logs.system(HARNESS_LOG, `could not write the ${executor.type} state records: ${err.message}`);
      });
    }
  }

  /** Each executor once (one may serve several target types). */
  private executorSet(): Set<ServiceExecutor> {
    return new Set(this.ctx.executors.values());
  }

  /** Stops `set`, each member once its dependents inside the set have stopped; those in
   * `restarting` are handed over to their next start where the executor can (see handOver). */
  private stopInOrder(set: ReadonlySet<string>, restarting: ReadonlySet<string> = new Set()): Promise<void> {
    const present = new Set([...set].filter((n) => this.services.has(n)));
    return this.graph.dependentsFirst(present, (name) => this.lifecycle(name).stop({ handOver: restarting.has(name) }));
  }

  /** Callers that come through a ProjectSession were checked there already, with a "did you
   * mean"; this is the same check for callers that drive the core directly. */
  private checkNames(names: Iterable<string>): void {
    checkServiceNames(names, this.services, this.projectConfig.file);
  }

  /** A lifecycle by a name known to be in the graph. */
  private lifecycle(name: string): ServiceLifecycle {
    return this.services.get(name) as ServiceLifecycle;
  }

  private assertOpen(): void {
    if (this.closed) throw new HarnessError('UNAVAILABLE', 'the service manager has shut down');
  }
}
