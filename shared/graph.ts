// Graph <-> config translation for the service graph view. Pure: the renderer calls it, tests
// call it, nothing here knows about React Flow or the DOM. Edges point from a dependency to the
// service that depends on it (data flows left to right in the layered layout).
import type { ConfigEdit, FieldPath, RawService } from './api.js';
import type { ServiceConfig, TargetType } from './config-types.js';
import { SERVICE_NAME } from './payload-schema.js';

export type NodeKind = 'process' | 'docker' | 'remote-lan' | 'wireguard';

const KIND_OF: Record<TargetType, NodeKind> = {
  Process: 'process',
  Docker: 'docker',
  RemoteLan: 'remote-lan',
  Wireguard: 'wireguard',
};

export function nodeKindOf(type: TargetType): NodeKind {
  return KIND_OF[type];
}

export interface Position {
  x: number;
  y: number;
}

/** What a node shows that comes from the config (run state comes from events, separately). */
export interface ServiceNodeSummary {
  name: string;
  type: TargetType;
  /** binary + args, image, user@host… */
  detail: string;
  ports: string[];
  /** tcp / http / command / log, when the service has a health check. */
  health?: string;
  dependencies: string[];
}

export interface GraphNodeModel {
  id: string;
  kind: NodeKind;
  /** null: not saved in the file, the view lays it out. */
  position: Position | null;
  summary: ServiceNodeSummary;
}

export interface GraphEdgeModel {
  id: string;
  /** The dependency. */
  source: string;
  /** The service that depends on it. */
  target: string;
}

export interface GraphModel {
  nodes: GraphNodeModel[];
  edges: GraphEdgeModel[];
  /** True when at least one node has no saved position. */
  needsLayout: boolean;
}

export function edgeId(dependency: string, service: string): string {
  return `${dependency}->${service}`;
}

function summarise(s: ServiceConfig): ServiceNodeSummary {
  const t = s.target;
  let detail: string;
  switch (t.type) {
    case 'Process':
      detail = [t.binary, ...t.args].join(' ');
      break;
    case 'Docker':
      detail = t.image;
      break;
    case 'RemoteLan':
      detail = `${t.user}@${t.host}: ${[t.binary, ...t.args].join(' ')}`;
      break;
    case 'Wireguard':
      detail = `${t.user}@${t.host}: ${t.package.split(/[\\/]/).pop() ?? t.package}`;
      break;
  }
  return {
    name: s.name,
    type: t.type,
    detail,
    ports: t.ports.map(String),
    health: s.health_check?.type,
    dependencies: [...s.dependencies],
  };
}

export function configToGraph(services: readonly ServiceConfig[]): GraphModel {
  const names = new Set(services.map((s) => s.name));
  const nodes = services.map<GraphNodeModel>((s) => ({
    id: s.name,
    kind: nodeKindOf(s.target.type),
    position: s.ui?.position ? { x: s.ui.position.x, y: s.ui.position.y } : null,
    summary: summarise(s),
  }));
  const edges: GraphEdgeModel[] = [];
  for (const s of services) {
    for (const dep of new Set(s.dependencies)) {
      // An unknown dependency is a config problem (listed in the problems panel), not an edge.
      if (names.has(dep)) edges.push({ id: edgeId(dep, s.name), source: dep, target: s.name });
    }
  }
  return { nodes, edges, needsLayout: nodes.some((n) => n.position === null) };
}

export type DependencyMap = ReadonlyMap<string, readonly string[]>;

export function dependencyMap(services: readonly Pick<ServiceConfig, 'name' | 'dependencies'>[]): Map<string, string[]> {
  return new Map(services.map((s) => [s.name, [...s.dependencies]]));
}

/** `name` and everything it depends on, transitively (what "start with dependencies" starts). */
export function dependencyClosure(name: string, deps: DependencyMap): string[] {
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const d of deps.get(n) ?? []) visit(d);
  };
  visit(name);
  return [...seen];
}

/** Every service that depends on `name`, transitively (what stopping `name` also stops). */
export function dependentsClosure(name: string, deps: DependencyMap): string[] {
  const out: string[] = [];
  const seen = new Set([name]);
  let frontier = [name];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const [svc, ds] of deps) {
      if (!seen.has(svc) && ds.some((d) => frontier.includes(d))) {
        seen.add(svc);
        out.push(svc);
        next.push(svc);
      }
    }
    frontier = next;
  }
  return out;
}

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

/** A minimal valid service of each target type, as the palette adds it. */
export function defaultRawService(type: TargetType, name: string): RawService {
  switch (type) {
    case 'Process':
      return { name, target: { type, binary: 'node', args: ['-e', "setInterval(() => console.log('tick'), 1000)"] } };
    case 'Docker':
      return { name, target: { type, image: 'nginx:alpine', ports: [] } };
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

/**
 * A loaded service back in its YAML (JSON) form, for `updateService`. Defaults stay explicit and
 * durations become integer milliseconds (both valid in services.yaml). What the loader resolved
 * cannot be recovered: `${VAR}` references arrive as their values and relative paths as absolute
 * ones. Editors use the snapshot's raw form and `setField` instead; the inspector falls back to
 * this only when the core sends no usable raw form (and says so before it rewrites a service).
 */
export function serviceToRaw(s: ServiceConfig): RawService {
  const raw: RawService = { name: s.name, target: { ...s.target }, dependencies: [...s.dependencies] };
  if (s.health_check) raw.health_check = renameMs(s.health_check);
  raw.restart = { policy: s.restart.policy, max_retries: s.restart.max_retries, backoff: s.restart.backoff_ms, max_backoff: s.restart.max_backoff_ms };
  raw.stop_signal = s.stop_signal;
  raw.stop_grace_period = s.stop_grace_period_ms;
  if (s.ui) raw.ui = s.ui;
  return raw;
}

function renameMs(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.endsWith('_ms') ? k.slice(0, -3) : k, v]));
}

/** Splits an argument line as a shell would for plain words and quotes ('…', "…", \x). */
export function splitArgs(line: string): { ok: true; args: string[] } | { ok: false; reason: string } {
  const args: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) args.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) return { ok: false, reason: `unclosed ${quote} quote` };
  if (has) args.push(cur);
  return { ok: true, args };
}

/** Joins arguments back into one line that splitArgs reads the same. */
export function joinArgs(args: readonly string[]): string {
  return args.map((a) => (a !== '' && /^[A-Za-z0-9_./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'"'"'`)}'`)).join(' ');
}

/**
 * The problems of one service: paths `services.<name>…` (map form) or `services[<index>]…` (list
 * form, `index` being its place in the file's list).
 */
export function problemsForService<P extends { path: string }>(problems: readonly P[], name: string, index: number): P[] {
  const byName = `services.${name}`;
  const byIndex = `services[${index}]`;
  const under = (p: string, root: string) => p === root || p.startsWith(`${root}.`) || p.startsWith(`${root}[`);
  return problems.filter((p) => under(p.path, byName) || (index >= 0 && under(p.path, byIndex)));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `path` in a raw service (JSON), or undefined when a step is missing. */
export function rawAt(raw: unknown, path: FieldPath): unknown {
  let cur = raw;
  for (const k of path) {
    if (typeof k === 'number' ? !Array.isArray(cur) : !isPlainObject(cur)) return undefined;
    const next: unknown = (cur as Record<string | number, unknown>)[k];
    if (next === undefined || (typeof k === 'string' && !Object.hasOwn(cur as object, k))) return undefined;
    cur = next;
  }
  return cur;
}

/**
 * One `setField` per field whose new value differs from the raw service's (JSON equality); an
 * undefined value removes the field. Everything else in the entry stays as written.
 */
export function setFieldEdits(service: string, raw: RawService, fields: ReadonlyArray<{ path: FieldPath; value: unknown }>): ConfigEdit[] {
  const edits: ConfigEdit[] = [];
  for (const f of fields) {
    const before = rawAt(raw, f.path);
    if (JSON.stringify(before) === JSON.stringify(f.value)) continue;
    edits.push({ op: 'setField', service, path: [...f.path], value: f.value === undefined ? null : f.value });
  }
  return edits;
}
