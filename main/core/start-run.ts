// One start request, tracked to its report. It is driven entirely by status changes (the
// manager calls `onStatus` synchronously for each one): a service is launched in the same tick
// its last dependency becomes ready, and no timer or polling loop is involved.
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

export interface RunHost {
  readonly graph: DependencyGraph;
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
    this.closure = host.graph.withDependencies(names);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  get isDone(): boolean {
    return this.done;
  }

  begin(): void {
    for (const name of this.host.graph.ordered(this.closure)) this.evaluate(name);
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
    for (const dep of this.host.graph.dependencies(name)) {
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
    for (const d of this.host.graph.dependents(name)) if (this.closure.has(d)) this.evaluate(d);
  }

  private checkDone(): void {
    if (this.done || this.settled.size < this.closure.size) return;
    this.done = true;
    this.resolveFinished({ ready: this.ready, failed: this.failed });
  }
}
