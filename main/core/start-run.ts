// Start requests, each tracked to its report. A request is driven entirely by status changes
// (every status event is followed synchronously by `StartRuns.changed`): a service is launched in
// the same tick its last dependency becomes ready, and no timer or polling loop is involved.
import { isReady, type ServiceState } from '../../shared/service-state.js';
import type { DependencyGraph } from './dependency-graph.js';
import type { StartFailure, StartReport } from './core-events.js';

/** A service as a start request sees it. */
export type Outcome =
  | { kind: 'ready' }
  /** Starting, waiting for health, restart pending, or unhealthy after having been healthy. */
  | { kind: 'busy'; unhealthy?: string }
  /** Being stopped: launchable once stopped. */
  | { kind: 'stopping' }
  /** Stopped, exited or failed: launchable, or a failure if this request already saw it run. */
  | { kind: 'down'; reason: string }
  /** Running but declared never-healthy: fails the request. */
  | { kind: 'broken'; reason: string };

/** How a start request sees a service in `state`. `gated`: running is not ready yet (it waits
 * for a health verdict); `neverHealthy`: its unhealthy verdict says it never passed its check. */
export function outcomeOf(state: ServiceState, gated: boolean, neverHealthy: boolean, restartPending: boolean): Outcome {
  if (isReady(state.status, gated)) return { kind: 'ready' };
  switch (state.status) {
    case 'starting':
    case 'running':
      return { kind: 'busy' };
    case 'unhealthy':
      return neverHealthy ? { kind: 'broken', reason: state.error ?? 'never became healthy' } : { kind: 'busy', unhealthy: state.error ?? 'unhealthy' };
    case 'stopping':
      return { kind: 'stopping' };
    case 'unknown':
      // Its host does not answer: it may well still run, so dependents wait rather than fail.
      return { kind: 'busy', unhealthy: state.error ?? 'its host does not answer' };
    case 'exited':
      if (restartPending) return { kind: 'busy' };
      return { kind: 'down', reason: state.error ?? (state.exitCode === 0 ? 'exited with code 0 before it was ready' : 'exited') };
    case 'failed':
      return { kind: 'down', reason: state.error ?? 'failed' };
    default:
      return { kind: 'down', reason: 'stopped before it was ready' };
  }
}

export interface RunHost {
  /** The graph in effect (setProject may swap it while a request is in flight). */
  graph(): DependencyGraph;
  outcome(name: string): Outcome;
  launch(name: string): void;
  /** A dependent waits for a dependency that is unhealthy. */
  waiting(service: string, dependency: string, detail: string): void;
}

export class StartRun {
  readonly closure: Set<string>;
  private readonly settled = new Map<string, StartFailure | null>();
  private readonly touched = new Set<string>();
  private readonly waitLogged = new Set<string>();
  private readonly ready: string[] = [];
  private readonly failed: StartFailure[] = [];
  private done = false;
  readonly finished: Promise<StartReport>;
  private resolveFinished!: (r: StartReport) => void;

  constructor(
    private readonly host: RunHost,
    names: Iterable<string>,
  ) {
    this.closure = host.graph().withDependencies(names);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  begin(): void {
    for (const name of this.host.graph().ordered(this.closure)) this.evaluate(name);
    this.checkDone();
  }

  onStatus(name: string): void {
    if (this.done || !this.closure.has(name)) return;
    this.evaluate(name);
    this.checkDone();
  }

  /** A stop was requested for these services: those not yet launched by this run give up. */
  cancel(names: Iterable<string>, reason: string): void {
    for (const n of names) {
      if (!this.closure.has(n) || this.settled.has(n) || this.touched.has(n)) continue;
      this.settle(n, { service: n, reason });
    }
    this.checkDone();
  }

  private evaluate(name: string): void {
    if (this.settled.has(name)) return;
    const o = this.host.outcome(name);
    switch (o.kind) {
      case 'ready':
        return this.settle(name, null);
      case 'broken':
        return this.settle(name, { service: name, reason: o.reason });
      case 'busy':
        this.touched.add(name);
        return;
      case 'stopping':
        return;
      case 'down':
        if (this.touched.has(name)) return this.settle(name, { service: name, reason: o.reason });
        return this.launchWhenDepsReady(name);
    }
  }

  private launchWhenDepsReady(name: string): void {
    let pending = false;
    for (const dep of this.host.graph().dependencies(name)) {
      if (!this.settled.has(dep)) {
        pending = true;
        const o = this.host.outcome(dep);
        if (o.kind === 'busy' && o.unhealthy !== undefined && !this.waitLogged.has(`${name}>${dep}`)) {
          this.waitLogged.add(`${name}>${dep}`);
          this.host.waiting(name, dep, o.unhealthy);
        }
        continue;
      }
      const failure = this.settled.get(dep);
      if (failure) return this.settle(name, { service: name, reason: `dependency ${dep} failed: ${failure.reason}` });
    }
    if (pending) return;
    this.touched.add(name);
    this.host.launch(name);
  }

  private settle(name: string, failure: StartFailure | null): void {
    if (this.settled.has(name)) return;
    this.settled.set(name, failure);
    if (failure) this.failed.push(failure);
    else this.ready.push(name);
    // Dependents in this request may now launch (or fail).
    for (const d of this.host.graph().dependents(name)) if (this.closure.has(d)) this.evaluate(d);
  }

  private checkDone(): void {
    if (this.done || this.settled.size < this.closure.size) return;
    this.done = true;
    this.resolveFinished({ ready: this.ready, failed: this.failed });
  }
}

/** The start requests in flight. Each sees every status change in order, also those caused
 * while it handles one (a launch publishes "starting" from inside `onStatus`). */
export class StartRuns {
  private readonly runs = new Set<StartRun>();
  private queue: string[] = [];
  private notifying = false;

  /** Begins `run` (synchronously: its first launches happen inside this call) and resolves with its report. */
  track(run: StartRun): Promise<StartReport> {
    this.runs.add(run);
    void run.finished.then(() => this.runs.delete(run));
    run.begin();
    return run.finished;
  }

  changed(name: string): void {
    this.queue.push(name);
    if (this.notifying) return;
    this.notifying = true;
    try {
      for (let i = 0; i < this.queue.length; i++) {
        for (const run of [...this.runs]) run.onStatus(this.queue[i]);
      }
    } finally {
      this.queue = [];
      this.notifying = false;
    }
  }

  /** A stop was requested for `names`: requests give up on those they have not launched yet. */
  cancel(names: ReadonlySet<string>, reason: string): void {
    for (const run of this.runs) run.cancel(names, reason);
  }
}
