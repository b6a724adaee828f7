// Transitive dependency and dependent closures: the one implementation, used by the core (what a
// start or a stop touches) and by the renderer (menus, cycle checks when wiring).
import type { ServiceConfig } from '../config-types.js';

export type DependencyMap = ReadonlyMap<string, readonly string[]>;

export function dependencyMap(services: readonly Pick<ServiceConfig, 'name' | 'dependencies'>[]): Map<string, string[]> {
  return new Map(services.map((s) => [s.name, [...s.dependencies]]));
}

/** `start` and every name reached from it by following `next`, each once. */
export function reachable(start: Iterable<string>, next: (name: string) => Iterable<string>): Set<string> {
  const out = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const n = stack.pop() as string;
    if (out.has(n)) continue;
    out.add(n);
    for (const m of next(n)) if (!out.has(m)) stack.push(m);
  }
  return out;
}

/** Dependency lists turned around: for each service, the services that name it. */
export function invertDependencies(deps: DependencyMap): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const name of deps.keys()) out.set(name, []);
  for (const [name, ds] of deps) for (const d of new Set(ds)) out.get(d)?.push(name);
  return out;
}

/** `name` and everything it depends on, transitively (what "start with dependencies" starts). */
export function dependencyClosure(name: string, deps: DependencyMap): string[] {
  return [...reachable([name], (n) => deps.get(n) ?? [])];
}

/** Every service that depends on `name`, transitively (what stopping `name` also stops). */
export function dependentsClosure(name: string, deps: DependencyMap): string[] {
  const inverse = invertDependencies(deps);
  const out = reachable([name], (n) => inverse.get(n) ?? []);
  out.delete(name);
  return [...out];
}
