// Graph domain: the nodes and edges React Flow draws, plus the document they come from (file,
// dirty flag, problems). Changes only when the config changes or the user drags, never on
// status events: those live in the run store so a status change re-renders one node.
import { applyEdgeChanges, applyNodeChanges, MarkerType, type Edge, type EdgeChange, type EdgeMarker, type Node, type NodeChange } from '@xyflow/react';
import { createStore } from 'zustand/vanilla';
import type { ProjectSnapshot } from '../../../shared/api';
import type { ConfigProblem, ServiceConfig } from '../../../shared/config-types';
import type { ServiceView } from '../../../shared/graph/service-views';
import type { GraphModel, NodeKind, ServiceNodeSummary } from '../../../shared/graph/graph-model';
import { FIXED_HANDLES, LARGE_GRAPH_NODES, NODE_HEIGHT, NODE_WIDTH } from '../graph/scale';

export interface ServiceNodeData extends Record<string, unknown> {
  summary: ServiceNodeSummary;
}

export type ServiceNode = Node<ServiceNodeData, NodeKind>;

/** The open document beyond its graph: history, pending changes, conflicts. */
export interface DocumentMeta {
  file: string | null;
  project: string | null;
  dirty: boolean;
  problems: ConfigProblem[];
  configs: ServiceConfig[];
  /** Every service of the draft, loading or not, in file order. */
  views?: ServiceView[];
  history?: NonNullable<ProjectSnapshot['history']>;
  pendingRemoval?: NonNullable<ProjectSnapshot['pendingRemoval']>;
  conflict?: ProjectSnapshot['conflict'];
  recovery?: ProjectSnapshot['recovery'];
  revision?: number;
  savedInvalid?: boolean;
}

const NO_HISTORY = { canUndo: false, canRedo: false };

/** Edges run from a dependency to its dependent (the layout's left to right); the arrowhead sits
 * at the dependency: the dependent connects to it, at the address the topology resolved. */
const ARROW: EdgeMarker = { type: MarkerType.ArrowClosed, width: 22, height: 22 };

export const DEPENDENCY_EDGE = 'dependency';

export interface GraphState {
  file: string | null;
  project: string | null;
  dirty: boolean;
  problems: ConfigProblem[];
  views: ServiceView[];
  history: NonNullable<ProjectSnapshot['history']>;
  pendingRemoval: NonNullable<ProjectSnapshot['pendingRemoval']>;
  conflict: ProjectSnapshot['conflict'];
  recovery: ProjectSnapshot['recovery'];
  revision: number;
  savedInvalid: boolean;
  /** Above LARGE_GRAPH_NODES: fixed-size nodes and the cheap rendering path (see graph/scale.ts). */
  large: boolean;
  nodes: ServiceNode[];
  edges: Edge[];
  /** Service name -> dependencies, for closures and connect validation. */
  deps: Map<string, string[]>;
  /** The loaded services, in file order. */
  configs: ServiceConfig[];
  /** Where the layout placed nodes that have no saved position. */
  autoPositions: Map<string, { x: number; y: number }>;
  setModel(meta: DocumentMeta, model: GraphModel, positions: Map<string, { x: number; y: number }>): void;
  setPositions(positions: Map<string, { x: number; y: number }>): void;
  applyNodeChanges(changes: NodeChange<ServiceNode>[]): void;
  /** Selects exactly this node (after a rename, the renamed one). */
  selectOnly(id: string): void;
  /** Adds the node to the selection, or takes it out. */
  toggleSelected(id: string): void;
  clearSelection(): void;
  applyEdgeChanges(changes: EdgeChange[]): void;
}

export type GraphStore = ReturnType<typeof createGraphStore>;

export function createGraphStore() {
  return createStore<GraphState>()((set, get) => ({
    file: null,
    project: null,
    dirty: false,
    problems: [],
    large: false,
    nodes: [],
    edges: [],
    deps: new Map(),
    configs: [],
    views: [],
    history: NO_HISTORY,
    pendingRemoval: [],
    conflict: null,
    recovery: null,
    revision: 0,
    savedInvalid: false,
    autoPositions: new Map(),
    setModel(meta, model, positions) {
      const large = model.nodes.length > LARGE_GRAPH_NODES;
      const sameMode = get().large === large;
      const previous = new Map(get().nodes.map((n) => [n.id, n]));
      const auto = get().autoPositions;
      for (const [id, p] of positions) auto.set(id, p);
      const nodes = model.nodes.map<ServiceNode>((m) => {
        const old = previous.get(m.id);
        // A node without a saved position goes back to where the layout put it (undoing its
        // first move), not to where it was last dragged.
        const position = m.position ?? positions.get(m.id) ?? auto.get(m.id) ?? old?.position ?? { x: 0, y: 0 };
        // Keep the same object when nothing changed, so memoised nodes do not re-render.
        if (old && sameMode && old.type === m.kind && old.position.x === position.x && old.position.y === position.y && JSON.stringify(old.data.summary) === JSON.stringify(m.summary)) return old;
        const node: ServiceNode = { id: m.id, type: m.kind, position, data: { summary: m.summary }, selected: old?.selected };
        // Known size and handles: React Flow can cull off-screen nodes without mounting them
        // once to measure (its default), which is most of the first render at a thousand nodes.
        return large ? { ...node, width: NODE_WIDTH, height: NODE_HEIGHT, measured: { width: NODE_WIDTH, height: NODE_HEIGHT }, handles: FIXED_HANDLES } : node;
      });
      // Unchanged edges keep their object: memoised edge components skip rendering.
      const previousEdges = new Map(get().edges.map((e) => [e.id, e]));
      const edges = model.edges.map<Edge>(
        (e) => previousEdges.get(e.id) ?? { id: e.id, source: e.source, target: e.target, type: DEPENDENCY_EDGE, markerStart: ARROW, ariaLabel: `${e.target} depends on ${e.source}` },
      );
      set({
        ...meta,
        views: meta.views ?? [],
        history: meta.history ?? NO_HISTORY,
        pendingRemoval: meta.pendingRemoval ?? [],
        conflict: meta.conflict ?? null,
        recovery: meta.recovery ?? null,
        revision: meta.revision ?? 0,
        savedInvalid: meta.savedInvalid ?? false,
        large,
        nodes,
        edges,
        deps: new Map(model.nodes.map((n) => [n.id, n.summary.dependencies])),
      });
    },
    setPositions(positions) {
      for (const [id, p] of positions) get().autoPositions.set(id, p);
      set({ nodes: get().nodes.map((n) => (positions.has(n.id) ? { ...n, position: positions.get(n.id)! } : n)) });
    },
    applyNodeChanges(changes) {
      set({ nodes: applyNodeChanges(changes, get().nodes) });
    },
    selectOnly(id) {
      const changes: NodeChange<ServiceNode>[] = get()
        .nodes.filter((n) => Boolean(n.selected) !== (n.id === id))
        .map((n) => ({ type: 'select', id: n.id, selected: n.id === id }));
      if (changes.length > 0) set({ nodes: applyNodeChanges(changes, get().nodes) });
    },
    toggleSelected(id) {
      const node = get().nodes.find((n) => n.id === id);
      if (node) set({ nodes: applyNodeChanges([{ type: 'select', id, selected: !node.selected }], get().nodes) });
    },
    clearSelection() {
      const changes: NodeChange<ServiceNode>[] = get()
        .nodes.filter((n) => n.selected)
        .map((n) => ({ type: 'select', id: n.id, selected: false }));
      if (changes.length > 0) set({ nodes: applyNodeChanges(changes, get().nodes) });
    },
    applyEdgeChanges(changes) {
      set({ edges: applyEdgeChanges(changes, get().edges) });
    },
  }));
}
