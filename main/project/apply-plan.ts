// What runs versus what the file says. After a save (or an external change) the runtime takes the
// file's config for every service that is not running; a running service keeps the config it was
// started with and is reported "changed" until the user applies it (restart with the new config)
// or stops it. A running service gone from the file keeps running until applied (then stopped).
//
// The runtime's config is therefore a mix of the two, built here. It must itself be a valid
// project: a kept (old) service's dependencies are kept too, and a mix that would close a
// dependency cycle keeps the old config of the services in it.
import type { ProjectConfig, ServiceConfig } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';

/** Equal for the runtime: positions (`ui`) never need a restart. */
export function sameForRuntime(a: ServiceConfig, b: ServiceConfig): boolean {
  const strip = ({ ui: _ui, ...rest }: ServiceConfig) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

export interface PendingChanges {
  /** Running with a config that differs from the file's. */
  changed: string[];
  /** Running, and gone from the file. */
  removed: string[];
}

export function pendingChanges(applied: ProjectConfig, saved: ProjectConfig, active: (name: string) => boolean): PendingChanges {
  const inSaved = new Map(saved.services.map((s) => [s.name, s]));
  const changed: string[] = [];
  const removed: string[] = [];
  for (const a of applied.services) {
    if (!active(a.name)) continue;
    const s = inSaved.get(a.name);
    if (!s) removed.push(a.name);
    else if (!sameForRuntime(a, s)) changed.push(a.name);
  }
  return { changed, removed };
}

/**
 * The config the runtime should have: the file's (`saved`) for every service that is not active
 * and for those in `force` ('all' = every one), the running config otherwise.
 */
export function mixConfig(applied: ProjectConfig, saved: ProjectConfig, active: (name: string) => boolean, force: ReadonlySet<string> | 'all'): ProjectConfig {
  const forced = (n: string) => force === 'all' || force.has(n);
  const old = new Map(applied.services.map((s) => [s.name, s]));
  const keepOld = new Set<string>();
  for (const s of saved.services) if (old.has(s.name) && active(s.name) && !forced(s.name)) keepOld.add(s.name);
  for (const a of applied.services) if (!saved.services.some((s) => s.name === a.name) && active(a.name) && !forced(a.name)) keepOld.add(a.name);

  const build = (): ServiceConfig[] => {
    const out = new Map<string, ServiceConfig>();
    for (const s of saved.services) out.set(s.name, keepOld.has(s.name) ? old.get(s.name)! : s);
    for (const n of keepOld) if (!out.has(n)) out.set(n, old.get(n)!);
    // Old configs may name services the file no longer has: keep those (with their old config).
    for (let changed = true, rounds = 0; changed && rounds <= applied.services.length; rounds++) {
      changed = false;
      for (const svc of [...out.values()]) {
        for (const d of svc.dependencies) {
          if (out.has(d) || !old.has(d)) continue;
          out.set(d, old.get(d)!);
          keepOld.add(d);
          changed = true;
        }
      }
    }
    return [...out.values()];
  };

  let services = build();
  for (let round = 0; round <= saved.services.length; round++) {
    const cycle = findCycle(services);
    if (!cycle) break;
    const fixable = cycle.filter((n) => old.has(n) && !keepOld.has(n) && !forced(n));
    if (fixable.length === 0) {
      throw new HarnessError('CONFLICT', `applying only some services would make a dependency cycle (${[...cycle, cycle[0]].join(' -> ')}); apply them together`);
    }
    for (const n of fixable) keepOld.add(n);
    services = build();
  }
  const anyOld = services.some((s) => keepOld.has(s.name));
  // The project name labels running containers: it changes only once nothing old keeps running.
  return { ...saved, name: anyOld ? applied.name : saved.name, services };
}

/** Sameness of two runtime configs, service by service (order matters for start order). */
export function sameProject(a: ProjectConfig, b: ProjectConfig): boolean {
  return (
    a.name === b.name &&
    a.services.length === b.services.length &&
    a.services.every((s, i) => s.name === b.services[i].name && sameForRuntime(s, b.services[i]))
  );
}

function findCycle(services: readonly ServiceConfig[]): string[] | null {
  const deps = new Map(services.map((s) => [s.name, s.dependencies]));
  const colour = new Map<string, 1 | 2>();
  for (const root of deps.keys()) {
    if (colour.has(root)) continue;
    const stack: Array<{ name: string; i: number }> = [{ name: root, i: 0 }];
    colour.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const out = deps.get(top.name) ?? [];
      if (top.i >= out.length) {
        colour.set(top.name, 2);
        stack.pop();
        continue;
      }
      const d = out[top.i++];
      if (!deps.has(d)) continue;
      const c = colour.get(d);
      if (c === undefined) {
        colour.set(d, 1);
        stack.push({ name: d, i: 0 });
      } else if (c === 1) {
        return stack.slice(stack.findIndex((f) => f.name === d)).map((f) => f.name);
      }
    }
  }
  return null;
}
