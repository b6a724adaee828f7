// The topology view: the same stack as the graph, laid out by where each service runs (from the
// core's `network.topology`), every dependency an arrow labelled with the address the dependent
// was given. Selection (and so the inspector) and the log dock are the graph view's.
import { MarkerType, ReactFlow, useStore as useFlowStore, useStoreApi, type Edge, type EdgeMarker, type Node, type NodeHandle, type NodeMouseHandler } from '@xyflow/react';
import { Position } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import type { TargetType } from '../../../shared/config-types';
import { useController } from '../actions/controller-context';
import { CanvasRail } from '../graph/CanvasRail';
import { useAutoFit } from '../graph/fit/use-auto-fit';
import { useGraph, useNetwork, useOffline, useUi } from '../stores/stores';
import { renderCounts } from '../test-hooks';
import { topologyEdgeTypes, topologyNodeTypes } from './node-types';
import { layoutTopology, TOPO_CARD, TOPO_HEADER, type TopologyLayout } from './topology-layout';

/** The renderCounts key of the topology view itself (not a valid service name). */
export const TOPOLOGY_RENDERS = '(topology-view)';
const ARROW: EdgeMarker = { type: MarkerType.ArrowClosed, width: 22, height: 22 };
/** The arrowheads' colour: the stylesheet's --edge (a marker's colour is an attribute, not CSS). */
const MARKER = { dark: '#7d889b', light: '#8792a5' } as const;
const HANDLES: NodeHandle[] = [
  { type: 'target', position: Position.Left, x: -4, y: TOPO_CARD.height / 2 - 4, width: 8, height: 8 },
  { type: 'source', position: Position.Right, x: TOPO_CARD.width - 4, y: TOPO_CARD.height / 2 - 4, width: 8, height: 8 },
];

/** Keeps the previous object of every node or edge whose content did not change (memoised
 * components then skip rendering when a refetched topology moved nothing of theirs). */
function useStable<T extends { id: string }>(list: T[]): T[] {
  const prev = useRef(new Map<string, { key: string; item: T }>());
  return useMemo(() => {
    const next = new Map<string, { key: string; item: T }>();
    const out = list.map((item) => {
      const key = JSON.stringify(item);
      const old = prev.current.get(item.id);
      const kept = old && old.key === key ? old.item : item;
      next.set(item.id, { key, item: kept });
      return kept;
    });
    prev.current = next;
    return out;
  }, [list]);
}

function toNodes(layout: TopologyLayout, types: Map<string, TargetType | null>, selected: Set<string>): Node[] {
  const nodes: Node[] = layout.groups.map((g) => ({
    id: g.id,
    type: 'location',
    position: { x: g.x, y: g.y },
    data: { group: g },
    width: g.width,
    height: g.height,
    measured: { width: g.width, height: g.height },
    handles: [],
    selectable: false,
    draggable: false,
    focusable: false,
    // Groups under the edges (2) and labels, cards above both.
    zIndex: 0,
  }));
  // Each group's header above the edges: inset by the frame's border, as tall as the layout's.
  for (const g of layout.groups) {
    nodes.push({
      id: `head:${g.id}`,
      type: 'location-head',
      position: { x: g.x + 1.5, y: g.y + 1.5 },
      data: { group: g },
      width: g.width - 3,
      height: TOPO_HEADER - 6,
      measured: { width: g.width - 3, height: TOPO_HEADER - 6 },
      handles: [],
      selectable: false,
      draggable: false,
      focusable: false,
      zIndex: 3,
    });
  }
  for (const s of layout.services) {
    nodes.push({
      id: s.name,
      type: 'topology-service',
      parentId: s.group,
      position: { x: s.x, y: s.y },
      data: { name: s.name, type: types.get(s.name) ?? null, location: s.location },
      width: TOPO_CARD.width,
      height: TOPO_CARD.height,
      measured: { ...TOPO_CARD },
      handles: HANDLES,
      selected: selected.has(s.name),
      draggable: false,
      ariaLabel: `Service ${s.name}`,
      zIndex: 3,
    });
  }
  return nodes;
}

function toEdges(layout: TopologyLayout): Edge[] {
  return layout.edges.map((e) => ({
    id: e.id,
    source: e.dependency,
    target: e.dependent,
    type: 'address',
    data: { resolved: e.resolved, crossing: e.crossing, ends: e.ends, label: e.label },
    markerStart: ARROW,
    ariaLabel: `${e.dependent} reaches ${e.dependency}`,
    zIndex: 2,
  }));
}

export function TopologyView() {
  if (import.meta.env.MODE === 'test-hooks') renderCounts[TOPOLOGY_RENDERS] = (renderCounts[TOPOLOGY_RENDERS] ?? 0) + 1;
  const topology = useNetwork((s) => s.topology);
  const error = useNetwork((s) => s.error);
  const views = useGraph((s) => s.views);
  const selectedKey = useGraph((s) => {
    let key = '';
    for (const n of s.nodes) if (n.selected) key += `${n.id}\n`;
    return key;
  });
  const controller = useController();
  const graph = controller.stores.graph;
  const theme = useUi((s) => s.theme);
  const openLogs = useUi((s) => s.openLogs);
  const setContextMenu = useUi((s) => s.setContextMenu);
  const offline = useOffline();
  const canvas = useRef<HTMLDivElement>(null);
  const { fit, onMoveEnd } = useAutoFit(canvas, controller.stores.ui, { corner: null });
  const flow = useStoreApi();

  const layout = useMemo(() => (topology ? layoutTopology(topology) : null), [topology]);
  const types = useMemo(() => new Map(views.map((v) => [v.name, v.type])), [views]);
  const selected = useMemo(() => new Set(selectedKey.split('\n').filter(Boolean)), [selectedKey]);
  const nodes = useStable(useMemo(() => (layout ? toNodes(layout, types, selected) : []), [layout, types, selected]));
  const edges = useStable(useMemo(() => (layout ? toEdges(layout) : []), [layout]));

  // Fit when the view opens and whenever the set of groups or services changes.
  const shape = layout ? `${layout.groups.map((g) => `${g.id}:${g.width}x${g.height}`).join('|')}#${layout.services.length}` : '';
  const panZoomReady = useFlowStore((s) => s.panZoom !== null);
  useEffect(() => {
    if (!panZoomReady || !shape) return;
    const frame = requestAnimationFrame(() => fit());
    return () => cancelAnimationFrame(frame);
  }, [panZoomReady, shape, fit]);

  const onNodeClick: NodeMouseHandler = useCallback(
    (e, node) => {
      if (node.type !== 'topology-service') return;
      if (e.ctrlKey || e.metaKey || e.shiftKey) graph.getState().toggleSelected(node.id);
      else graph.getState().selectOnly(node.id);
    },
    [graph],
  );
  const onNodeDoubleClick: NodeMouseHandler = useCallback((_e, node) => node.type === 'topology-service' && openLogs(node.id), [openLogs]);
  const onNodeContextMenu: NodeMouseHandler = useCallback(
    (e, node) => {
      if (node.type !== 'topology-service') return;
      e.preventDefault();
      setContextMenu({ service: node.id, x: e.clientX, y: e.clientY });
    },
    [setContextMenu],
  );
  const onPaneClick = useCallback(() => {
    setContextMenu(null);
    graph.getState().clearSelection();
  }, [graph, setContextMenu]);

  // The graph view's keys: s start, x stop, r restart, l logs, f fit.
  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, textarea, select, .nokey') || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'f') return void fit({ duration: 200 });
      const sel = graph.getState().nodes.filter((n) => n.selected).map((n) => n.id);
      if (sel.length === 0 || offline) return;
      if (e.key === 's') void controller.start(sel);
      else if (e.key === 'x') void controller.stop(sel);
      else if (e.key === 'r') void controller.restart(sel);
      else if (e.key === 'l') openLogs(sel[0]);
    },
    [controller, fit, graph, offline, openLogs],
  );

  useEffect(() => {
    // A bench and the e2e pan this view through the same hook as the graph's.
    const setViewport = (v: { x: number; y: number; zoom: number }) => flow.getState().panZoom?.setViewport(v);
    controller.viewport = { setViewport };
    return () => void (controller.viewport = null);
  }, [controller, flow]);

  let status: string | null = null;
  if (error && !topology) status = `The topology could not be read: ${error}`;
  else if (!topology) status = 'Reading the topology…';
  else if (topology.services.length === 0) status = 'No service is known to the running core yet (a file with errors runs nothing: fix and save it).';

  return (
    <div className="topology-view" data-testid="topology-view" data-services={layout?.services.length ?? 0} onKeyDown={onKeyDown} tabIndex={0}>
      <CanvasRail onFit={() => fit({ duration: 200 })} />
      <div className="graph-canvas" ref={canvas}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={topologyNodeTypes}
          edgeTypes={topologyEdgeTypes}
          onNodeClick={onNodeClick}
          onNodeDoubleClick={onNodeDoubleClick}
          onNodeContextMenu={onNodeContextMenu}
          onPaneClick={onPaneClick}
          onMoveEnd={onMoveEnd}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          deleteKeyCode={null}
          colorMode={theme}
          defaultMarkerColor={MARKER[theme]}
          minZoom={0.05}
          onlyRenderVisibleElements
          // Our z-indexes as given: groups 0, edges and labels 2, cards 3 (the default would lift
          // the edges of grouped nodes over the cards, and their buttons under the lines).
          zIndexMode="manual"
          proOptions={{ hideAttribution: true }}
        />
        {status && (
          <p className="topology-status muted" data-testid="topology-status">
            {status}
          </p>
        )}
      </div>
    </div>
  );
}
