// The dependency DAG of a project. The loader rejects cycles and unknown dependencies with
// file positions; the checks here are a safety net for configs built in code.
import type { ServiceConfig } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { reachable } from '../../shared/graph/closures.js';

export class DependencyGraph {
  private readonly deps = new Map<string, readonly string[]>();
  private readonly dependentsOf = new Map<string, string[]>();
  /** Topological order (dependencies first), breadth-first from the roots in config order. */
  readonly order: readonly string[];

  constructor(services: readonly ServiceConfig[]) {
    for (const s of services) {
      if (this.deps.has(s.name)) throw new HarnessError('CONFIG_INVALID', `duplicate service name "${s.name}"`);
      this.deps.set(s.name, [...new Set(s.dependencies)]);
      this.dependentsOf.set(s.name, []);
    }
    for (const [name, deps] of this.deps) {
      for (const d of deps) {
        const list = this.dependentsOf.get(d);
        if (!list) throw new HarnessError('CONFIG_INVALID', `${name}: dependency "${d}" is not a service of this project`);
        list.push(name);
      }
    }
    this.order = this.topoSort();
  }

  has(name: string): boolean {
    return this.deps.has(name);
  }

  get names(): string[] {
    return [...this.deps.keys()];
  }

  dependencies(name: string): readonly string[] {
    return this.deps.get(name) ?? [];
  }

  dependents(name: string): readonly string[] {
    return this.dependentsOf.get(name) ?? [];
  }

  /** `names` plus everything they depend on, transitively. */
  withDependencies(names: Iterable<string>): Set<string> {
    return reachable(names, (n) => this.dependencies(n));
  }

  /** `names` plus everything that depends on them, transitively. */
  withDependents(names: Iterable<string>): Set<string> {
    return reachable(names, (n) => this.dependents(n));
  }

  /** The members of `set` in topological order. */
  ordered(set: ReadonlySet<string>): string[] {
    return this.order.filter((n) => set.has(n));
  }

  /**
   * Runs `fn` for every member of `set`, each once `fn` has finished for its dependents inside
   * the set; independent members run concurrently. Used to stop in reverse dependency order.
   */
  async dependentsFirst(set: ReadonlySet<string>, fn: (name: string) => Promise<void>): Promise<void> {
    const done = new Map<string, Promise<void>>();
    const visit = (name: string): Promise<void> => {
      let p = done.get(name);
      if (!p) {
        const before = this.dependents(name).filter((d) => set.has(d));
        p = Promise.all(before.map(visit)).then(() => fn(name));
        done.set(name, p);
      }
      return p;
    };
    await Promise.all([...set].map(visit));
  }

  private topoSort(): string[] {
    const indegree = new Map<string, number>();
    for (const [n, d] of this.deps) indegree.set(n, d.length);
    const ready = [...this.deps.keys()].filter((n) => indegree.get(n) === 0);
    const out: string[] = [];
    while (ready.length > 0) {
      const n = ready.shift() as string;
      out.push(n);
      for (const m of this.dependents(n)) {
        const left = (indegree.get(m) as number) - 1;
        indegree.set(m, left);
        if (left === 0) ready.push(m);
      }
    }
    if (out.length !== this.deps.size) {
      const stuck = [...this.deps.keys()].filter((n) => !out.includes(n));
      throw new HarnessError('CONFIG_INVALID', `dependency cycle among: ${stuck.join(', ')}`);
    }
    return out;
  }
}
