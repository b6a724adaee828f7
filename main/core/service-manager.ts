// The orchestrator core: starts services in dependency order (each the moment its dependencies
// are ready), watches their health, restarts them by policy, stops them dependents-first, and
// publishes every change as an event. Transports (CLI, socket, IPC) sit on top of this class.
//
// Everything is event-driven: status changes are pushed to the active start requests
// synchronously (see StartRun), so no timer sits between "dependency ready" and "dependent
// spawned". State changes go through `update`, which stamps a global sequence number.
import type { ProjectConfig } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { isReady, type HealthResult, type ServiceState } from '../../shared/service-state.js';
import { HealthMonitor, type HealthVerdict } from './health-monitor.js';
import type { LogStore } from '../logs/log-store.js';
import { declaredPorts } from '../network/declared-ports.js';
import type { NetworkManager } from '../network/network-manager.js';
import { CoreEventBus } from './core-event-bus.js';
import type { CoreListener, ExecutorRegistry, ProjectChange, StartReport } from './core-events.js';
import { DependencyGraph } from './dependency-graph.js';
import type { ExecutorContext, ExitInfo, RunningInstance, ServiceExecutor } from './executor.js';
import { decideRestart, describeExit, STABLE_RUN_MS } from './restart-policy.js';
import { clearTimers, diffServices, newRuntime, outcomeOf, type ServiceRuntime } from './service-runtime.js';
import { StartRun, type Outcome, type RunHost } from './start-run.js';

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

export class ServiceManager implements RunHost {
  private projectConfig: ProjectConfig;
  graph: DependencyGraph;
  private readonly runtimes = new Map<string, ServiceRuntime>();
  private readonly bus = new CoreEventBus();
  private readonly runs = new Set<StartRun>();
  private readonly executors: ExecutorRegistry;
  private readonly network: NetworkManager;
  private readonly logs: LogStore;
  private readonly stateDir: string;
  private readonly now: () => number;
  private readonly unsubscribeLogs: () => void;
  private notifyQueue: string[] = [];
  private notifying = false;
  private closed = false;

  constructor(deps: ServiceManagerDeps) {
    this.projectConfig = deps.project;
    this.executors = deps.executors;
    this.network = deps.network;
    this.logs = deps.logs;
    this.stateDir = deps.stateDir;
    this.now = deps.now ?? Date.now;
    this.graph = new DependencyGraph(deps.project.services);
    this.network.setProjectName(deps.project.name);
    for (const s of deps.project.services) {
      this.runtimes.set(s.name, newRuntime(s, this.now()));
      this.network.registerService(s);
    }
    this.unsubscribeLogs = this.logs.onLine((line) => this.bus.emit({ type: 'log', line }));
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
    return this.graph.names.map((n) => ({ ...(this.runtimes.get(n) as ServiceRuntime).state }));
  }

  getServiceStatus(name: string): ServiceState {
    return { ...this.require(name).state };
  }

  /** Starts one service and, first, its dependencies. */
  startService(name: string): Promise<StartReport> {
    return this.start([name]);
  }

  async stopService(name: string): Promise<void> {
    return this.stopOne(this.require(name));
  }

  /**
   * Starts the named services (all when omitted) and their dependencies. Resolves when each of
   * them is ready or has failed; a dependent of a failed service is reported failed, not started.
   */
  async start(names?: string[]): Promise<StartReport> {
    // Everything up to the first launch runs synchronously inside this call.
    this.assertOpen();
    const wanted = names ?? this.graph.names;
    for (const n of wanted) this.require(n);
    for (const n of this.graph.withDependencies(wanted)) {
      const rt = this.runtimes.get(n) as ServiceRuntime;
      // An explicit start is a fresh chance for a service that had given up.
      if (rt.state.status === 'failed' || rt.state.status === 'exited' || rt.state.status === 'stopped') rt.consecutive = 0;
    }
    const run = new StartRun(this, wanted);
    this.runs.add(run);
    void run.finished.then(() => this.runs.delete(run));
    run.begin();
    const report = await run.finished;
    // Executors may write their crash-recovery records just behind the spawn (so no dependent
    // waits for a disk write); "ready" is promised only once those records are on disk, so a
    // supervisor killed right after `up -d` returned still leaves its processes findable.
    await this.flushExecutors();
    return report;
  }

  private async flushExecutors(): Promise<void> {
    for (const executor of new Set(this.executors.values())) {
      if (!executor.flush) continue;
      await executor.flush(this.stateDir).catch((err: Error) => {
        this.logs.system(HARNESS_LOG, `could not write the ${executor.type} state records: ${err.message}`);
      });
    }
  }

  /**
   * Stops the named services (all when omitted) and, before each, whatever depends on it.
   * Services stop in parallel where the graph allows, each once its dependents are down.
   */
  async stop(names?: string[]): Promise<{ stopped: string[] }> {
    const set = names ? this.graph.withDependents(names.map((n) => this.require(n).config.name)) : new Set(this.graph.names);
    for (const run of this.runs) run.cancel(set, 'stop requested before it started');
    await this.stopInOrder(set);
    return { stopped: this.graph.ordered(set) };
  }

  /** Stops the named services (dependents keep running, as with `docker compose restart`) and starts them again. */
  async restart(names: string[]): Promise<StartReport> {
    this.assertOpen();
    const set = new Set(names.map((n) => this.require(n).config.name));
    await this.stopInOrder(set);
    for (const n of set) {
      const rt = this.runtimes.get(n) as ServiceRuntime;
      rt.consecutive = 0;
      this.update(rt, { restarts: 0 });
    }
    return this.start([...set]);
  }

  /**
   * Swaps the configuration. Removed services are stopped; changed services that are running are
   * stopped and started again with the new config; stopped ones just take the new config.
   */
  async setProject(project: ProjectConfig): Promise<ProjectChange> {
    this.assertOpen();
    const nextGraph = new DependencyGraph(project.services);
    const { added, removed, changed } = diffServices(this.runtimes, project.services);
    const toRestart = changed.filter((n) => this.isActive(this.runtimes.get(n) as ServiceRuntime));
    await this.stopInOrder(new Set([...removed, ...toRestart]));

    this.projectConfig = project;
    this.graph = nextGraph;
    this.network.setProjectName(project.name);
    for (const n of removed) {
      this.runtimes.delete(n);
      this.network.unregisterService(n);
    }
    for (const s of project.services) {
      const rt = this.runtimes.get(s.name);
      // A re-registered service keeps what was learned (e.g. a container IP) if its type is unchanged.
      const learned = rt && rt.config.target.type === s.target.type ? this.network.location(s.name) : undefined;
      if (rt) rt.config = s;
      else this.runtimes.set(s.name, newRuntime(s, this.now()));
      this.network.registerService(s, learned);
    }
    for (const n of added) this.update(this.runtimes.get(n) as ServiceRuntime, {});
    const report = toRestart.length > 0 ? await this.start(toRestart) : { ready: [], failed: [] };
    return { added, removed, changed, restarted: toRestart, report };
  }

  /**
   * Asks every executor for instances left by an earlier supervisor. Adopted ones become running
   * (and are health-checked); what the executors cleaned up is logged as system lines.
   */
  async recover(): Promise<{ adopted: string[]; cleaned: string[] }> {
    this.assertOpen();
    const adopted: string[] = [];
    const cleaned: string[] = [];
    for (const executor of new Set(this.executors.values())) {
      if (!executor.recover) continue;
      let report;
      try {
        report = await executor.recover(this.projectConfig, this.stateDir);
      } catch (err) {
        this.logs.system(HARNESS_LOG, `recovery of ${executor.type} services failed: ${(err as Error).message}`);
        continue;
      }
      for (const [name, instance] of report.adopted) {
        const rt = this.runtimes.get(name);
        if (!rt || rt.instance || rt.launching) {
          this.logs.system(HARNESS_LOG, `${name}: left a running instance ${instance.id} that this project no longer describes`);
          continue;
        }
        this.adopt(rt, instance);
        adopted.push(name);
      }
      for (const line of report.cleaned) {
        cleaned.push(line);
        const owner = line.split(':', 1)[0];
        this.logs.system(this.runtimes.has(owner) ? owner : HARNESS_LOG, line);
      }
    }
    return { adopted, cleaned };
  }

  /** Second Ctrl-C: every executor that can ends its running instances now; the stops already
   * in progress see them exit. */
  forceKill(): void {
    for (const rt of this.runtimes.values()) {
      if (rt.instance) this.executors.get(rt.config.target.type)?.forceKill?.(rt.config, rt.instance);
    }
  }

  /** Stops everything in reverse dependency order, then releases timers and subscriptions. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.stop();
    this.closed = true;
    for (const rt of this.runtimes.values()) {
      clearTimers(rt);
      rt.monitor?.stop();
      rt.monitor = null;
    }
    this.unsubscribeLogs();
    this.bus.clear();
  }

  // ---- RunHost (used by StartRun) ----

  outcome(name: string): Outcome {
    return outcomeOf(this.runtimes.get(name) as ServiceRuntime);
  }

  launch(name: string): void {
    this.launchRuntime(this.runtimes.get(name) as ServiceRuntime);
  }

  waiting(service: string, dependency: string, detail: string): void {
    this.logs.system(service, `waiting for ${dependency} (unhealthy: ${detail})`);
  }

  // ---- lifecycle ----

  private launchRuntime(rt: ServiceRuntime): void {
    const { config } = rt;
    const name = config.name;
    const gen = ++rt.generation;
    clearTimers(rt);
    rt.stopRequested = false;
    rt.neverHealthy = false;
    rt.earlyVerdict = null;
    const abort = new AbortController();
    rt.startAbort = abort;
    const executor = this.executors.get(config.target.type);
    this.update(rt, {
      status: 'starting',
      error: undefined,
      exitCode: undefined,
      signal: undefined,
      pid: undefined,
      instance: undefined,
      health: undefined,
    });
    if (!executor) {
      this.failStart(rt, gen, `${name}: no executor for ${config.target.type} services is available in this build`);
      return;
    }
    // Created before the spawn so a log-line check cannot miss an early line.
    rt.monitor = this.createMonitor(rt, gen, executor);
    rt.launching = this.runStart(rt, gen, executor, abort).finally(() => {
      if (rt.generation === gen) rt.launching = null;
    });
  }

  private async runStart(rt: ServiceRuntime, gen: number, executor: ServiceExecutor, abort: AbortController): Promise<void> {
    const { config } = rt;
    let injectedEnv: Record<string, string>;
    try {
      await this.network.prepare(config.name);
      injectedEnv = this.network.envFor(config.name);
    } catch (err) {
      this.failStart(rt, gen, `${config.name}: ${(err as Error).message}`);
      return;
    }
    if (abort.signal.aborted) return;
    const ctx: ExecutorContext = {
      project: this.projectConfig,
      stateDir: this.stateDir,
      injectedEnv,
      log: (stream, chunk) => this.logs.append(config.name, stream, chunk),
      progress: (p) => this.bus.emit({ type: 'progress', event: { ...p, service: config.name } }),
      signal: abort.signal,
    };
    let instance: RunningInstance;
    try {
      instance = await executor.start(config, ctx);
    } catch (err) {
      this.failStart(rt, gen, (err as Error)?.message ?? String(err));
      return;
    }
    if (rt.generation !== gen) return;
    rt.instance = instance;
    // A stop arrived while the executor was starting: the stop path takes the instance down.
    if (rt.stopRequested) return;
    this.onSpawned(rt, gen, instance);
  }

  private adopt(rt: ServiceRuntime, instance: RunningInstance): void {
    const gen = ++rt.generation;
    rt.stopRequested = false;
    rt.neverHealthy = false;
    rt.earlyVerdict = null;
    rt.instance = instance;
    const executor = this.executors.get(rt.config.target.type) as ServiceExecutor;
    rt.monitor = this.createMonitor(rt, gen, executor);
    this.logs.system(rt.config.name, `adopted running instance ${instance.id} from an earlier supervisor`);
    this.onSpawned(rt, gen, instance);
  }

  private onSpawned(rt: ServiceRuntime, gen: number, instance: RunningInstance): void {
    const { config } = rt;
    const learned = this.executors.get(config.target.type)?.locate?.(config, instance);
    if (learned) this.network.updateLocation(config.name, learned);
    const fromHost = this.network.resolveFromHost(config.name);
    const ports = fromHost?.port !== undefined ? [fromHost.port] : declaredPorts(config.target);
    this.update(rt, {
      status: 'running',
      pid: instance.pid,
      instance: instance.id,
      startedAt: this.now(),
      address: fromHost?.address ?? instance.address,
      ports,
    });
    void instance.exited.then((exit) => this.onExit(rt, gen, exit));
    if (rt.generation !== gen || rt.stopRequested) return;
    rt.monitor?.attach(instance);
    const early = rt.earlyVerdict;
    rt.earlyVerdict = null;
    if (early) this.onHealthVerdict(rt, gen, early);
    if (!config.health_check) {
      rt.stableTimer = setTimeout(() => {
        rt.stableTimer = null;
        if (rt.generation === gen) rt.consecutive = 0;
      }, STABLE_RUN_MS);
      rt.stableTimer.unref?.();
    }
  }

  private createMonitor(rt: ServiceRuntime, gen: number, executor: ServiceExecutor): HealthMonitor | null {
    const check = rt.config.health_check;
    // Without a check of its own, a service whose executor reports native health (an image
    // HEALTHCHECK) is gated on it; whether the instance has one is known only once it runs.
    rt.nativeGate = check === undefined && typeof executor.watchNativeHealth === 'function';
    if (!check && !rt.nativeGate) return null;
    return new HealthMonitor({
      service: rt.config,
      check,
      executor,
      onLogLine: (l) => this.logs.onLine(l),
      onResult: (result) => this.onHealthResult(rt, gen, result),
      onVerdict: (verdict) => this.onHealthVerdict(rt, gen, verdict),
      onNoNativeHealth: () => this.onNoNativeHealth(rt, gen),
      now: this.now,
    });
  }

  /** The instance has no native health: it is ready as it runs, so waiting dependents may start. */
  private onNoNativeHealth(rt: ServiceRuntime, gen: number): void {
    if (rt.generation !== gen || !rt.nativeGate) return;
    rt.nativeGate = false;
    this.update(rt, {});
  }

  private onHealthResult(rt: ServiceRuntime, gen: number, result: HealthResult): void {
    if (rt.generation !== gen || rt.stopRequested) return;
    // Kept on the state silently; the status event that follows a verdict carries it, and the
    // health event reports the flip itself.
    rt.state = { ...rt.state, health: result };
    this.bus.emit({ type: 'health', event: { seq: this.bus.nextSeq(), service: rt.config.name, result } });
  }

  private onHealthVerdict(rt: ServiceRuntime, gen: number, verdict: HealthVerdict): void {
    if (rt.generation !== gen || rt.stopRequested) return;
    const status = rt.state.status;
    if (status === 'starting') {
      // A log line can match while the executor is still finishing its start; apply it once running.
      rt.earlyVerdict = verdict;
      return;
    }
    if (status !== 'running' && status !== 'healthy' && status !== 'unhealthy') return;
    if (verdict.status === 'healthy') {
      rt.consecutive = 0;
      rt.neverHealthy = false;
      this.update(rt, { status: 'healthy', error: undefined });
      return;
    }
    rt.neverHealthy = verdict.neverHealthy === true;
    this.logs.system(rt.config.name, `unhealthy: ${verdict.error ?? 'health check failing'}`);
    this.update(rt, { status: 'unhealthy', error: verdict.error });
  }

  private onExit(rt: ServiceRuntime, gen: number, exit: ExitInfo): void {
    if (rt.generation !== gen || rt.stopRequested) return;
    const { config } = rt;
    rt.monitor?.stop();
    rt.monitor = null;
    rt.instance = null;
    clearTimers(rt);
    this.endStreams(config.name);
    const what = describeExit(exit);
    const exitFields = { exitCode: exit.code, signal: exit.signal, pid: undefined, instance: undefined };
    const decision = this.closed ? { kind: 'none' as const } : decideRestart(config.restart, exit, rt.consecutive);
    if (decision.kind === 'restart') {
      rt.consecutive++;
      // The timer is set before the status event so start requests see a restart pending.
      rt.restartTimer = setTimeout(() => {
        rt.restartTimer = null;
        if (rt.generation === gen && !rt.stopRequested) this.launchRuntime(rt);
      }, decision.delayMs);
      this.logs.system(config.name, `${what}; restarting in ${decision.delayMs} ms (attempt ${decision.attempt} of ${config.restart.max_retries})`);
      this.update(rt, { ...exitFields, status: 'exited', error: what, restarts: rt.state.restarts + 1 });
      return;
    }
    if (decision.kind === 'crash-loop') {
      const last = exit.code !== null ? `last exit code ${exit.code}` : `last exit code null (${exit.signal ?? exit.error ?? 'unknown'})`;
      const error = `crash loop: exited ${decision.exits} times, ${last}`;
      this.logs.system(config.name, `${error}; giving up (restart policy ${config.restart.policy}, max_retries ${config.restart.max_retries})`);
      this.update(rt, { ...exitFields, status: 'failed', error });
      return;
    }
    this.logs.system(config.name, what);
    this.update(rt, { ...exitFields, status: 'exited', error: exit.code === 0 && !exit.signal && !exit.error ? undefined : what });
  }

  private failStart(rt: ServiceRuntime, gen: number, message: string): void {
    if (rt.generation !== gen || rt.stopRequested) return;
    rt.monitor?.stop();
    rt.monitor = null;
    rt.instance = null;
    this.logs.system(rt.config.name, `failed to start: ${message}`);
    this.update(rt, { status: 'failed', error: message, pid: undefined, instance: undefined });
  }

  private stopOne(rt: ServiceRuntime): Promise<void> {
    if (rt.stopping) return rt.stopping;
    if (rt.restartTimer) {
      // A pending restart is cancelled; the service is down already.
      clearTimers(rt);
      rt.stopRequested = true;
      this.update(rt, { status: 'stopped' });
      return Promise.resolve();
    }
    if (!rt.instance && !rt.launching) return Promise.resolve();
    rt.stopRequested = true;
    rt.startAbort?.abort();
    clearTimers(rt);
    rt.monitor?.stop();
    rt.monitor = null;
    const { config } = rt;
    rt.stopping = (async () => {
      this.update(rt, { status: 'stopping' });
      if (rt.launching) await rt.launching;
      const instance = rt.instance;
      let exit: ExitInfo | null = null;
      if (instance) {
        const executor = this.executors.get(config.target.type) as ServiceExecutor;
        try {
          exit = await executor.stop(config, instance, { signal: config.stop_signal, graceMs: config.stop_grace_period_ms });
        } catch (err) {
          exit = { code: null, signal: null, error: `stop failed: ${(err as Error).message}` };
          this.logs.system(config.name, exit.error as string);
        }
      }
      rt.instance = null;
      this.endStreams(config.name);
      this.update(rt, {
        status: 'stopped',
        pid: undefined,
        instance: undefined,
        exitCode: exit?.code,
        signal: exit?.signal,
        error: exit?.error,
      });
    })().finally(() => {
      rt.stopping = null;
    });
    return rt.stopping;
  }

  /** Stops `set`, each member once its dependents inside the set have stopped. */
  private stopInOrder(set: ReadonlySet<string>): Promise<void> {
    const present = new Set([...set].filter((n) => this.runtimes.has(n)));
    return this.graph.dependentsFirst(present, (name) => this.stopOne(this.runtimes.get(name) as ServiceRuntime));
  }

  // ---- plumbing ----

  private update(rt: ServiceRuntime, patch: Partial<ServiceState>): void {
    const next = { ...rt.state, ...patch };
    next.ready = isReady(next.status, rt.config.health_check !== undefined || rt.nativeGate);
    rt.state = { ...next, updatedAt: this.now() };
    this.bus.emit({ type: 'status', event: { seq: this.bus.nextSeq(), state: { ...rt.state } } });
    this.notifyRuns(rt.config.name);
  }

  /** Start requests see every status change in order, also those caused while handling one. */
  private notifyRuns(name: string): void {
    this.notifyQueue.push(name);
    if (this.notifying) return;
    this.notifying = true;
    try {
      for (let i = 0; i < this.notifyQueue.length; i++) {
        for (const run of [...this.runs]) run.onStatus(this.notifyQueue[i]);
      }
    } finally {
      this.notifyQueue = [];
      this.notifying = false;
    }
  }

  private endStreams(service: string): void {
    this.logs.end(service, 'stdout');
    this.logs.end(service, 'stderr');
  }

  private isActive(rt: ServiceRuntime): boolean {
    return rt.instance !== null || rt.launching !== null || rt.restartTimer !== null;
  }

  private require(name: string): ServiceRuntime {
    const rt = this.runtimes.get(name);
    if (!rt) throw new HarnessError('NOT_FOUND', `unknown service "${name}" (services: ${this.graph.names.join(', ') || 'none'})`);
    return rt;
  }

  private assertOpen(): void {
    if (this.closed) throw new HarnessError('UNAVAILABLE', 'the service manager has shut down');
  }
}
