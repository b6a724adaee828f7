// Graph gestures (wire, unwire, delete, move, drop from the palette) turned into ConfigEdits.
import type { ConfigEdit, RawService } from '../api.js';
import type { TargetType } from '../config-types.js';
import { SERVICE_NAME } from '../payload-schema.js';
import { dependencyClosure, type DependencyMap } from './closures.js';
import { nodeKindOf, type GraphEdgeModel, type Position } from './graph-model.js';

export type EditResult = { ok: true; edits: ConfigEdit[] } | { ok: false; reason: string };

/** Dragging an edge from `source` (the dependency) to `target` (the dependent). */
export function connectEdits(source: string, target: string, deps: DependencyMap): EditResult {
  if (source === target) return { ok: false, reason: `${target} cannot depend on itself` };
  if (!deps.has(source) || !deps.has(target)) return { ok: false, reason: `unknown service ${deps.has(source) ? target : source}` };
  if (deps.get(target)!.includes(source)) return { ok: false, reason: `${target} already depends on ${source}` };
  // Adding target -> source closes a cycle when source already (transitively) depends on target.
  if (dependencyClosure(source, deps).includes(target)) {
    return { ok: false, reason: `${target} -> ${source} would create a dependency cycle` };
  }
  return { ok: true, edits: [{ op: 'addDependency', service: target, dependency: source }] };
}

export function disconnectEdits(edge: Pick<GraphEdgeModel, 'source' | 'target'>): ConfigEdit[] {
  return [{ op: 'removeDependency', service: edge.target, dependency: edge.source }];
}

/**
 * Removing services: each one leaves the dependency lists of its surviving dependents first (the
 * core's removeService touches only the service's own entry), so the file stays valid.
 */
export function removeServicesEdits(names: readonly string[], deps: DependencyMap): ConfigEdit[] {
  const gone = new Set(names.filter((n) => deps.has(n)));
  const edits: ConfigEdit[] = [];
  for (const [svc, ds] of deps) {
    if (gone.has(svc)) continue;
    for (const d of new Set(ds)) if (gone.has(d)) edits.push({ op: 'removeDependency', service: svc, dependency: d });
  }
  for (const n of gone) edits.push({ op: 'removeService', name: n });
  return edits;
}

/** Positions are stored rounded: sub-pixel noise would make every drag a diff in the file. */
export function moveEdits(moves: ReadonlyArray<{ id: string; position: Position }>): ConfigEdit[] {
  return moves.map((m) => ({ op: 'setPosition', service: m.id, x: Math.round(m.position.x), y: Math.round(m.position.y) }));
}

/** `base`, or `base-2`, `base-3`… whichever is free and a valid service name. */
export function uniqueServiceName(base: string, existing: Iterable<string>): string {
  const taken = new Set(existing);
  let clean = base.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z]+/, '').slice(0, 56);
  if (!SERVICE_NAME.test(clean)) clean = 'service';
  if (!taken.has(clean)) return clean;
  for (let i = 2; ; i++) if (!taken.has(`${clean}-${i}`)) return `${clean}-${i}`;
}

/** A minimal service of each target type, as the palette adds it (valid, except a Docker
 * service's image, which only the user can name). */
export function defaultRawService(type: TargetType, name: string): RawService {
  switch (type) {
    case 'Process':
      return { name, target: { type, binary: 'node', args: ['-e', "setInterval(() => console.log('tick'), 1000)"] } };
    case 'Docker':
      // No image is a good guess: the file is invalid until the inspector gets one.
      return { name, target: { type, image: '' } };
    case 'RemoteLan':
      return { name, target: { type, host: '192.168.1.10', user: 'deploy', binary: '/usr/bin/true', args: [] } };
    case 'Wireguard':
      return { name, target: { type, host: '10.0.0.2', user: 'deploy', package: './package.tar.gz' } };
  }
}

/** Dropping a palette item on the canvas: a new service with a free name at that spot. */
export function addServiceEdits(type: TargetType, existing: Iterable<string>, at: Position): { name: string; edits: ConfigEdit[] } {
  const name = uniqueServiceName(nodeKindOf(type), existing);
  return {
    name,
    edits: [{ op: 'addService', service: defaultRawService(type, name) }, ...moveEdits([{ id: name, position: at }])],
  };
}

