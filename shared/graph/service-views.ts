// The draft's services as the editor shows them: those that load and those that do not, in file
// order, each with its problems. The graph draws every one (a service with problems gets a
// marker); the inspector edits every one through its raw form.
import type { InvalidServiceSummary, ProjectSnapshot, RawService } from '../api.js';
import type { ConfigProblem, ServiceConfig, TargetType } from '../config-types.js';
import { pathCovers } from '../field-path.js';
import { edgeId, nodeKindOf, summarise as summariseConfig, type GraphModel, type GraphNodeModel, type ServiceNodeSummary } from './graph-model.js';

export interface ServiceView {
  name: string;
  /** The entry's path as problems spell it. */
  path: string;
  index: number;
  /** null: the target type is missing or unknown (drawn as a Process node, marked). */
  type: TargetType | null;
  /** Undefined when the entry does not load. */
  config?: ServiceConfig;
  raw?: RawService;
  dependencies: string[];
  changed: boolean;
  problems: ConfigProblem[];
}

export function serviceViews(snap: Pick<ProjectSnapshot, 'services' | 'invalid' | 'problems'>): ServiceView[] {
  const views: ServiceView[] = snap.services.map((s, i) => ({
    name: s.config.name,
    path: s.path ?? `services[${i}]`,
    index: s.index ?? i,
    type: s.config.target.type,
    config: s.config,
    raw: s.raw,
    dependencies: s.config.dependencies,
    changed: s.changed === true,
    problems: [],
  }));
  for (const s of snap.invalid ?? []) views.push(invalidView(s));
  views.sort((a, b) => a.index - b.index);
  for (const v of views) v.problems = snap.problems.filter((p) => pathCovers(v.path, p.path));
  return views;
}

function invalidView(s: InvalidServiceSummary): ServiceView {
  return { name: s.name, path: s.path, index: s.index, type: s.type, raw: s.raw, dependencies: s.dependencies, changed: false, problems: [] };
}

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

/** What a node shows for an entry that does not load: read from the file as written. */
function rawSummary(v: ServiceView): ServiceNodeSummary {
  const target = (v.raw?.target ?? {}) as Record<string, unknown>;
  let detail: string;
  switch (v.type) {
    case 'Docker':
      detail = str(target.image);
      break;
    case 'RemoteLan':
    case 'Wireguard':
      detail = `${str(target.user)}@${str(target.host)}`;
      break;
    case 'Process':
      detail = [str(target.binary), ...list(target.args)].join(' ').trim();
      break;
    default:
      detail = 'no valid target type';
  }
  const hc = v.raw?.health_check as { type?: unknown } | undefined;
  return {
    name: v.name,
    type: v.type ?? 'Process',
    detail,
    ports: list(target.ports),
    health: typeof hc?.type === 'string' ? hc.type : undefined,
    dependencies: [...v.dependencies],
  };
}

function summarise(v: ServiceView): ServiceNodeSummary {
  if (!v.config) return rawSummary(v);
  return { ...summariseConfig(v.config), dependencies: [...v.dependencies] };
}

function positionOf(v: ServiceView): GraphNodeModel['position'] {
  const p = v.config?.ui?.position ?? ((v.raw?.ui as { position?: { x?: unknown; y?: unknown } } | undefined)?.position);
  return p && typeof p.x === 'number' && typeof p.y === 'number' ? { x: p.x, y: p.y } : null;
}

/** One node per view (marked when it has errors or waits to be applied), edges between known services. */
export function viewsToGraph(views: readonly ServiceView[]): GraphModel {
  const names = new Set(views.map((v) => v.name));
  const nodes = views.map<GraphNodeModel>((v) => ({
    id: v.name,
    kind: nodeKindOf(v.type ?? 'Process'),
    position: positionOf(v),
    summary: {
      ...summarise(v),
      ...(v.problems.some((p) => p.severity === 'error') ? { errors: v.problems.filter((p) => p.severity === 'error').length } : {}),
      ...(v.config ? {} : { invalid: true }),
      ...(v.changed ? { changed: true } : {}),
    },
  }));
  const edges = views.flatMap((v) => [...new Set(v.dependencies)].filter((d) => names.has(d) && d !== v.name).map((d) => ({ id: edgeId(d, v.name), source: d, target: v.name })));
  return { nodes, edges, needsLayout: nodes.some((n) => n.position === null) };
}
