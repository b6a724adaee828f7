// One service's life in the core: launching it through its executor, the instance it runs, what
// its health says, how the instance ends (restarted with backoff, or given up) and stopping it.
// It owns every piece of the service's mutable state and publishes each change as one status
// event; the ServiceManager coordinates many of these and never reaches inside.
//
// Every launch or adoption opens a new generation; callbacks of an older instance (its exit, a
// late health verdict, a start that resolved after a stop) carry their generation and drop out.
import type { ServiceConfig } from '../../shared/config-types.js';
import { isReady, type HealthResult, type RemoteEndpoint, type ServiceState } from '../../shared/service-state.js';
import type { ExecutorRegistry } from './core-events.js';
import type { ExitInfo, InstanceCondition, RunningInstance, ServiceExecutor } from './executor.js';
import { HealthGate } from './health-gate.js';
import type { HealthVerdict } from './health-monitor.js';
import { reachOf, startInstance, stopInstance, type InstanceDeps, type StartAttempt } from './instance-calls.js';
import { exitOutcome, RestartBackoff } from './restart-policy.js';
import { outcomeOf, type Outcome } from './start-run.js';

/** How long a stop waits quietly before it says that it is waiting. */
const STOP_WAIT_NOTICE_MS = 1000;

function clock(epochMs: number): string {
  return new Date(epochMs).toTimeString().slice(0, 8);
}

/** What every lifecycle of one manager shares. */
export interface LifecycleContext extends InstanceDeps {
  readonly executors: ExecutorRegistry;
  readonly now: () => number;
  /** The manager has shut down: an exit now is final. */
  closed(): boolean;
  /** Called right after each status event, so start requests see every change in order. */
  changed(name: string): void;
}

export class ServiceLifecycle {
  private current: ServiceState;
  private instance: RunningInstance | null = null;
  private generation = 0;
  /** The executor's start is in flight. */
  private launching: Promise<void> | null = null;
  private startAbort: AbortController | null = null;
  /** Set synchronously when a stop is requested, so an exit in between is not seen as a crash. */
  private stopRequested = false;
  private stopping: Promise<void> | null = null;
  private readonly health: HealthGate;
  private readonly backoff = new RestartBackoff();
  /** Ends the subscription to the instance's conditions (its host's connection). */
  private unwatchConditions: (() => void) | null = null;
  /** While `unknown`: the status (and error) to go back to when the host answers again; health
   * verdicts that arrive meanwhile update it. */
  private restore: { status: 'running' | 'healthy' | 'unhealthy'; error?: string } | null = null;

  constructor(
    private cfg: ServiceConfig,
    private readonly ctx: LifecycleContext,
  ) {
    this.current = { name: cfg.name, type: cfg.target.type, status: 'stopped', restarts: 0, updatedAt: ctx.now() };
    // One listener for the lifetime of the service; each call carries the generation it is for.
    this.health = new HealthGate(ctx.logs, ctx.now, {
      result: (gen, result) => this.healthResult(gen, result),
      verdict: (gen, verdict) => {
        if (this.live(gen)) this.applyVerdict(verdict);
      },
      // No native health after all: ready as it runs, so waiting dependents may start.
      ungated: (gen) => {
        if (this.generation === gen) this.update({});
      },
    });
  }

  get config(): ServiceConfig {
    return this.cfg;
  }

  /** A new config; a running instance keeps running as it was started. */
  set config(config: ServiceConfig) {
    this.cfg = config;
  }

  /** A copy of the published state. */
  snapshot(): ServiceState {
    return { ...this.current };
  }

  /** An instance runs or is being started: nothing left by an earlier supervisor is adopted. */
  get occupied(): boolean {
    return this.instance !== null || this.launching !== null;
  }

  /** Something runs or is about to (also a pending restart): a config change restarts it. */
  get active(): boolean {
    return this.occupied || this.backoff.pending;
  }

  /** Publishes the state as it is (a service that was just added). */
  announce(): void {
    this.update({});
  }

  /** An explicit start is a fresh chance for a service that had given up. */
  freshChance(): void {
    const s = this.current.status;
    if (s === 'failed' || s === 'exited' || s === 'stopped') this.backoff.consecutive = 0;
  }

  /** An explicit restart also clears the count the UI shows. */
  resetRestarts(): void {
    this.backoff.consecutive = 0;
    this.update({ restarts: 0 });
  }

  outcome(): Outcome {
    return outcomeOf(this.current, this.health.gates(this.cfg), this.health.neverHealthy, this.backoff.pending);
  }

  /** Starts a new instance. Everything up to the executor's start runs synchronously. */
  launch(): void {
    const config = this.cfg;
    const gen = this.nextGeneration();
    const abort = new AbortController();
    this.startAbort = abort;
    const executor = this.ctx.executors.get(config.target.type);
    this.update({ status: 'starting', error: undefined, exitCode: undefined, signal: undefined, pid: undefined, instance: undefined, health: undefined });
    if (!executor) {
      this.failStart(gen, `${config.name}: no executor for ${config.target.type} services is available in this build`);
      return;
    }
    this.health.arm(gen, config, executor);
    this.launching = startInstance(config, executor, this.ctx, abort).then((attempt) => {
      try {
        this.started(gen, attempt);
      } finally {
        if (this.generation === gen) this.launching = null;
      }
    });
  }

  /** Takes over an instance an earlier supervisor left running. */
  adopt(instance: RunningInstance): void {
    const gen = this.nextGeneration();
    this.instance = instance;
    this.health.arm(gen, this.cfg, this.ctx.executors.get(this.cfg.target.type) as ServiceExecutor);
    this.ctx.logs.system(this.cfg.name, `adopted running instance ${instance.id} from an earlier supervisor`);
    this.spawned(gen, instance);
  }

  /** Stops the instance (or the start in flight, or the pending restart); one stop at a time.
   * `handOver` (a restart): an executor that can hand the instance over to the next start does
   * so instead of stopping it. */
  stop(opts: { handOver?: boolean } = {}): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.backoff.pending) {
      // A pending restart is cancelled; the service is down already.
      this.backoff.cancel();
      this.stopRequested = true;
      this.update({ status: 'stopped' });
      return Promise.resolve();
    }
    if (!this.occupied) return Promise.resolve();
    this.stopRequested = true;
    this.startAbort?.abort();
    this.backoff.cancel();
    this.health.disarm();
    this.stopping = this.stopNow(opts.handOver === true).finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  /** Second Ctrl-C: the executor ends the instance now; the stop in progress sees it exit. */
  forceKill(): void {
    if (this.instance) this.ctx.executors.get(this.cfg.target.type)?.forceKill?.(this.cfg, this.instance);
  }

  /** Releases timers and the health monitor (the manager shuts down). */
  dispose(): void {
    this.backoff.cancel();
    this.health.disarm();
    this.unwatch();
  }

  private nextGeneration(): number {
    this.backoff.cancel();
    this.stopRequested = false;
    this.health.reset();
    return ++this.generation;
  }

  /** Still the instance of generation `gen`, and no stop was asked for. */
  private live(gen: number): boolean {
    return this.generation === gen && !this.stopRequested;
  }

  /** The executor's start came back (`launching` is cleared right after). */
  private started(gen: number, attempt: StartAttempt): void {
    if (attempt.kind === 'aborted') return;
    if (attempt.kind === 'failed') return this.failStart(gen, attempt.message);
    if (this.generation !== gen) return;
    this.instance = attempt.instance;
    // A stop arrived while the executor was starting: the stop path takes the instance down.
    if (this.stopRequested) return;
    this.spawned(gen, attempt.instance);
  }

  private spawned(gen: number, instance: RunningInstance): void {
    const reach = reachOf(this.cfg, this.ctx.executors.get(this.cfg.target.type), instance, this.ctx.network);
    // The instance's first condition (where it runs) goes into the 'running' event itself.
    const first = this.watchConditions(gen, instance);
    this.update({ status: 'running', pid: instance.pid, instance: instance.id, startedAt: this.ctx.now(), ...reach, ...(first?.remote ? { remote: first.remote } : {}) });
    void instance.exited.then((exit) => this.exited(gen, exit));
    if (!this.live(gen)) return;
    if (first && !first.reachable) this.applyCondition(first);
    this.health.attach(instance);
    if (!this.cfg.health_check) this.backoff.countStableRun(() => this.generation === gen);
  }

  /** Subscribes to the instance's conditions; returns the first one, which the caller applies. */
  private watchConditions(gen: number, instance: RunningInstance): InstanceCondition | undefined {
    this.unwatch();
    if (!instance.conditions) return undefined;
    let first: InstanceCondition | undefined;
    let subscribing = true;
    this.unwatchConditions = instance.conditions((c) => {
      if (subscribing) first = c;
      else if (this.live(gen)) this.applyCondition(c);
    });
    subscribing = false;
    return first;
  }

  private unwatch(): void {
    this.unwatchConditions?.();
    this.unwatchConditions = null;
    this.restore = null;
  }

  /** The host of the instance stopped or started answering (or its connection changed). */
  private applyCondition(c: InstanceCondition): void {
    const status = this.current.status;
    const patch: Partial<ServiceState> = c.remote ? { remote: c.remote } : {};
    if (!c.reachable && (status === 'running' || status === 'healthy' || status === 'unhealthy')) {
      this.restore = { status, error: this.current.error };
      const reason = c.reason ?? 'its host does not answer';
      this.ctx.logs.system(this.cfg.name, `status unknown: ${reason}`);
      Object.assign(patch, { status: 'unknown', error: reason });
    } else if (c.reachable && status === 'unknown' && this.restore) {
      this.ctx.logs.system(this.cfg.name, 'its host answers again');
      Object.assign(patch, { status: this.restore.status, error: this.restore.error });
      this.restore = null;
    } else if (!c.remote || sameRemote(c.remote, this.current.remote)) {
      return;
    }
    this.update(patch);
  }

  private healthResult(gen: number, result: HealthResult): void {
    // A probe that was in flight when the instance ended must not put health back on the state.
    if (!this.live(gen) || this.instance === null) return;
    // Kept on the state silently; the status event that follows a verdict carries it, and the
    // health event reports the flip itself.
    this.current = { ...this.current, health: result };
    const { bus } = this.ctx;
    bus.emit({ type: 'health', event: { seq: bus.nextSeq(), service: this.cfg.name, result } });
  }

  private applyVerdict(verdict: HealthVerdict): void {
    const status = this.current.status;
    if (status === 'unknown' && this.restore) {
      // Applied when the host answers again; meanwhile the service stays `unknown`.
      this.health.neverHealthy = verdict.status === 'unhealthy' && verdict.neverHealthy === true;
      this.restore = verdict.status === 'healthy' ? { status: 'healthy' } : { status: 'unhealthy', error: verdict.error };
      if (verdict.status === 'healthy') this.backoff.consecutive = 0;
      return;
    }
    if (status !== 'running' && status !== 'healthy' && status !== 'unhealthy') return;
    if (verdict.status === 'healthy') {
      this.backoff.consecutive = 0;
      this.health.neverHealthy = false;
      this.update({ status: 'healthy', error: undefined });
      return;
    }
    this.health.neverHealthy = verdict.neverHealthy === true;
    this.ctx.logs.system(this.cfg.name, `unhealthy: ${verdict.error ?? 'health check failing'}`);
    this.update({ status: 'unhealthy', error: verdict.error });
  }

  /** The instance ended by itself: restart it by policy, or publish how it ended. */
  private exited(gen: number, exit: ExitInfo): void {
    if (!this.live(gen)) return;
    this.health.disarm();
    this.unwatch();
    this.instance = null;
    this.backoff.cancel();
    this.endStreams();
    const outcome = exitOutcome(this.cfg.restart, exit, this.backoff.consecutive, this.ctx.closed());
    // Health belongs to the instance that just ended: none is shown for a service that is not running.
    const patch: Partial<ServiceState> = {
      status: outcome.status, error: outcome.error, exitCode: exit.code, signal: exit.signal, pid: undefined, instance: undefined, remote: undefined, health: undefined,
    };
    if (outcome.restartInMs !== undefined) {
      // Scheduled before the status event, so start requests see a restart pending.
      this.backoff.schedule(outcome.restartInMs, () => {
        if (this.live(gen)) this.launch();
      });
      patch.restarts = this.current.restarts + 1;
    }
    this.ctx.logs.system(this.cfg.name, outcome.log);
    this.update(patch);
  }

  private failStart(gen: number, message: string): void {
    if (!this.live(gen)) return;
    this.health.disarm();
    this.instance = null;
    this.ctx.logs.system(this.cfg.name, `failed to start: ${message}`);
    this.update({ status: 'failed', error: message, pid: undefined, instance: undefined, health: undefined });
  }

  private async stopNow(handOver: boolean): Promise<void> {
    const config = this.cfg;
    this.update({ status: 'stopping', health: undefined });
    if (this.launching) await this.launching;
    const instance = this.instance;
    const executor = this.ctx.executors.get(config.target.type) as ServiceExecutor;
    let exit: ExitInfo | null = null;
    if (instance && handOver && executor.handOver) {
      await executor.handOver(config, instance).catch((err: Error) => this.ctx.logs.system(config.name, `hand-over failed: ${err.message}`));
      this.ctx.logs.system(config.name, `instance ${instance.id} handed over to the restart: it runs until the new one replaces it`);
    } else {
      const waiting = instance ? this.sayWhileWaiting(config) : null;
      try {
        exit = instance ? await stopInstance(config, executor, instance, this.ctx.logs) : null;
      } finally {
        if (waiting) clearTimeout(waiting);
      }
    }
    this.unwatch();
    this.instance = null;
    this.endStreams();
    this.update({ status: 'stopped', pid: undefined, instance: undefined, remote: undefined, exitCode: exit?.code, signal: exit?.signal, error: exit?.error, stopWait: undefined });
  }

  /** A service still running a while after its stop signal: say so, and when it will be killed,
   * so `down` and Ctrl-C do not look hung. Quick stops say nothing. */
  private sayWhileWaiting(config: ServiceConfig): NodeJS.Timeout | null {
    const grace = config.stop_grace_period_ms;
    if (grace <= STOP_WAIT_NOTICE_MS) return null;
    const since = this.ctx.now();
    const timer = setTimeout(() => {
      if (this.current.status !== 'stopping') return;
      const killAt = since + grace;
      const left = Math.ceil((killAt - this.ctx.now()) / 1000);
      this.ctx.logs.system(config.name, `still running ${STOP_WAIT_NOTICE_MS / 1000} s after ${config.stop_signal}; SIGKILL in ${left} s (at ${clock(killAt)}) if it has not exited`);
      this.update({ stopWait: { signal: config.stop_signal, since, killAt } });
    }, STOP_WAIT_NOTICE_MS);
    timer.unref?.();
    return timer;
  }

  /** Every state change goes through here: one status event, stamped with the global sequence. */
  private update(patch: Partial<ServiceState>): void {
    const next = { ...this.current, ...patch };
    next.ready = isReady(next.status, this.health.gates(this.cfg));
    this.current = { ...next, updatedAt: this.ctx.now() };
    this.ctx.bus.emit({ type: 'status', event: { seq: this.ctx.bus.nextSeq(), state: { ...this.current } } });
    this.ctx.changed(this.cfg.name);
  }

  private endStreams(): void {
    this.ctx.logs.end(this.cfg.name, 'stdout');
    this.ctx.logs.end(this.cfg.name, 'stderr');
  }
}

function sameRemote(a: RemoteEndpoint, b: RemoteEndpoint | undefined): boolean {
  return b !== undefined && a.key === b.key && a.connection === b.connection && a.reason === b.reason;
}
