// The service graph as the graph view shows it, derived from the loaded config. Pure: the
// renderer calls it, tests call it, nothing here knows about React Flow or the DOM. Edges point
// from a dependency to the service that depends on it (data flows left to right in the layout).
import type { ServiceConfig, TargetType } from '../config-types.js';

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
  /** Errors the loader reports for this service (a marker on the node). */
  errors?: number;
  /** The entry does not load: the node is drawn from the file as written. */
  invalid?: boolean;
  /** Saved, but it runs with its old config until applied. */
  changed?: boolean;
  /** RemoteLan and Wireguard: the SSH login the service runs under. */
  remote?: { host: string; port: number; user: string };
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

/** What a node shows of a loaded service: the one summary both graph builders use. */
export function summarise(s: ServiceConfig): ServiceNodeSummary {
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
    ...(t.type === 'RemoteLan' || t.type === 'Wireguard' ? { remote: { host: t.host, port: t.ssh_port, user: t.user } } : {}),
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

