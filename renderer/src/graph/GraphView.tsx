// The service graph: React Flow over the graph store, gestures turned into config edits through
// the pure translation in shared/graph.ts.
import {
  Background,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore as useFlowStore,
  useStoreApi,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type OnBeforeDelete,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { TARGET_TYPES, type TargetType } from '../../../shared/config-types';
import { connectEdits, disconnectEdits, moveEdits } from '../../../shared/graph/edit-builders';
import { useController } from '../actions/controller-context';
import type { ServiceNode } from '../stores/graph-store';
import { useGraph, useOffline, useSoleSelection, useUi } from '../stores/stores';
import { renderCounts, VIEW_RENDERS } from '../test-hooks';
import { CanvasRail, RailButton } from './CanvasRail';
import { EdgeLayer } from './EdgeLayer';
import { edgeTypes } from './edges/DependencyEdge';
import { useAutoFit } from './fit/use-auto-fit';
import { OverviewCanvas, serviceAt } from './OverviewCanvas';
import { MINIMAP, MINIMAP_CORNER, MINIMAP_MIN_CANVAS, NODE_HEIGHT, NODE_WIDTH, OVERVIEW_BELOW_ZOOM } from './scale';
import { nodeTypes } from './nodes/node-types';
import { Palette, PALETTE_MIME } from './Palette';

const NO_EDGES: Edge[] = [];
/** The arrowheads' colour: the stylesheet's --edge (a marker's colour is an attribute, not CSS). */
const MARKER = { dark: '#7d889b', light: '#8792a5' } as const;

export function GraphView() {
  // Read by the graph benchmark: panning must not re-render the view.
  if (import.meta.env.MODE === 'test-hooks') renderCounts[VIEW_RENDERS] = (renderCounts[VIEW_RENDERS] ?? 0) + 1;
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const large = useGraph((s) => s.large);
  const file = useGraph((s) => s.file);
  const controller = useController();
  const graph = controller.stores.graph;
  const { screenToFlowPosition, setViewport, getViewport } = useReactFlow();
  const flowStore = useStoreApi();
  const setContextMenu = useUi((s) => s.setContextMenu);
  const openLogs = useUi((s) => s.openLogs);
  const theme = useUi((s) => s.theme);
  const minimap = useUi((s) => s.minimap);
  const setMinimap = useUi((s) => s.setMinimap);
  const offline = useOffline();
  const canvas = useRef<HTMLDivElement>(null);
  // A minimap earns its corner only on a roomy canvas (at 1024x700 with the dock and the inspector
  // open it would take a quarter of it); the rail's switch turns it off altogether.
  const roomy = useFlowStore((s) => s.width >= MINIMAP_MIN_CANVAS.width && s.height >= MINIMAP_MIN_CANVAS.height);
  const showMinimap = minimap && !large && roomy;
  const { fit, onMoveEnd } = useAutoFit(canvas, controller.stores.ui, { corner: showMinimap ? MINIMAP_CORNER : null });
  // A large graph zoomed far out is drawn by OverviewCanvas, its React Flow nodes hidden. The
  // selector yields a boolean, so only crossing the threshold re-renders this view; all other
  // zoom-dependent detail lives in the nodes (use-lod.ts).
  // Until the initial fit lands the zoom is 1: start in the overview rather than mount cards
  // (and the edge layer) only to hide them again.
  const zoomedOut = useFlowStore((s) => !s.panZoom || s.transform[2] < OVERVIEW_BELOW_ZOOM);
  const [fittedOnce, setFittedOnce] = useState(false);
  const overview = large && (zoomedOut || !fittedOnce);
  const shownNodes = useMemo(() => (overview ? nodes.map((n) => ({ ...n, hidden: true })) : nodes), [overview, nodes]);

  // The initial fit is ours (fitViewport keeps nodes clear of the minimap), not the fitView prop.
  // Once per file: a small graph when its nodes have been measured, a large one (fixed sizes,
  // hidden in the overview) as soon as the pan/zoom exists. Watched by a subscription, not a
  // selector: nodes measured while panning must not re-render the view.
  const initialFit = useRef<string | null>(null);
  useEffect(() => {
    const key = file ?? '';
    if (initialFit.current === key) return;
    const ready = (s: ReturnType<typeof flowStore.getState>) => s.panZoom !== null && (large || s.nodesInitialized);
    const go = () => {
      initialFit.current = key;
      fit();
      setFittedOnce(true);
    };
    if (ready(flowStore.getState())) return void go();
    const off = flowStore.subscribe((s) => {
      if (initialFit.current === key || !ready(s)) return;
      off();
      go();
    });
    return off;
  }, [flowStore, large, file, fit]);

  // The node the inspector opens for stays in view: the panel narrows the graph and may cover it.
  const selectedId = useSoleSelection();
  useEffect(() => {
    if (!selectedId) return;
    // Two frames: the pane's new size (the inspector just mounted) is measured after the first.
    let frame = requestAnimationFrame(() => (frame = requestAnimationFrame(check)));
    const check = () => {
      const node = graph.getState().nodes.find((n) => n.id === selectedId);
      const { width, height } = flowStore.getState();
      if (!node || !width || !height) return;
      const { x, y, zoom } = getViewport();
      const w = (node.measured?.width ?? NODE_WIDTH) * zoom;
      const h = (node.measured?.height ?? NODE_HEIGHT) * zoom;
      const sx = node.position.x * zoom + x;
      const sy = node.position.y * zoom + y;
      // The smallest pan that shows it whole (with a margin), so the rest moves as little as possible.
      const m = 16;
      const dx = sx < m ? m - sx : sx + w > width - m ? Math.max(m - sx, width - m - (sx + w)) : 0;
      const dy = sy < m ? m - sy : sy + h > height - m ? Math.max(m - sy, height - m - (sy + h)) : 0;
      if (dx !== 0 || dy !== 0) void setViewport({ x: x + dx, y: y + dy, zoom }, { duration: 150 });
    };
    return () => cancelAnimationFrame(frame);
  }, [selectedId, graph, flowStore, getViewport, setViewport]);

  // Refit when a layout lands.
  useEffect(() => controller.onLayout(() => requestAnimationFrame(() => fit())), [controller, fit]);
  useEffect(() => {
    controller.viewport = { setViewport };
    return () => void (controller.viewport = null);
  }, [controller, setViewport]);

  const onNodesChange = useCallback((changes: NodeChange<ServiceNode>[]) => graph.getState().applyNodeChanges(changes), [graph]);
  // Edges are controlled too: without this, clicking one could never select it (nor delete it).
  const onEdgesChange = useCallback((changes: EdgeChange[]) => graph.getState().applyEdgeChanges(changes), [graph]);

  const onNodeDragStop = useCallback(
    (_e: unknown, _node: ServiceNode, dragged: ServiceNode[]) => {
      // One drag is one undo step, however many nodes moved.
      const moves = dragged.map((n) => ({ id: n.id, position: n.position }));
      void controller.edit(moveEdits(moves));
    },
    [controller],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const r = connectEdits(c.source, c.target, graph.getState().deps);
      if (r.ok) void controller.edit(r.edits);
      else controller.report(new Error(r.reason));
    },
    [controller, graph],
  );

  // Delete/Backspace on a selected edge removes the dependency; on a selected node, the service
  // (and its name from its dependents' lists). The view changes when the core's snapshot comes
  // back, never optimistically, so a refused edit leaves the graph as the file is.
  const onBeforeDelete: OnBeforeDelete<ServiceNode, Edge> = useCallback(
    async ({ nodes: doomedNodes, edges: doomed }) => {
      const gone = new Set(doomedNodes.map((n) => n.id));
      const unwire = doomed.filter((e) => !gone.has(e.source) && !gone.has(e.target)).flatMap((e) => disconnectEdits(e));
      // Deleting services others depend on asks first (DocumentActions.remove).
      if (gone.size > 0) void controller.doc.remove([...gone], unwire);
      else if (unwire.length > 0) void controller.edit(unwire);
      return false;
    },
    [controller, graph],
  );

  // In the overview there are no node elements: clicks find the service under the pointer.
  const serviceUnder = useCallback((e: MouseEvent | globalThis.MouseEvent) => serviceAt(graph.getState().nodes, screenToFlowPosition({ x: e.clientX, y: e.clientY })), [graph, screenToFlowPosition]);
  const onPaneClick = useCallback(
    (e: MouseEvent) => {
      setContextMenu(null);
      if (!overview) return;
      const hit = serviceUnder(e);
      const changes: NodeChange<ServiceNode>[] = graph.getState().nodes.filter((n) => !!n.selected !== (n.id === hit)).map((n) => ({ type: 'select', id: n.id, selected: n.id === hit }));
      if (changes.length > 0) graph.getState().applyNodeChanges(changes);
    },
    [graph, overview, serviceUnder, setContextMenu],
  );
  const onPaneContextMenu = useCallback(
    (e: MouseEvent | globalThis.MouseEvent) => {
      const hit = overview ? serviceUnder(e) : null;
      if (!hit) return;
      e.preventDefault();
      setContextMenu({ service: hit, x: e.clientX, y: e.clientY });
    },
    [overview, serviceUnder, setContextMenu],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(PALETTE_MIME) as TargetType;
      if (!TARGET_TYPES.includes(type)) return;
      e.preventDefault();
      const at = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // The new service's name is asked for at the drop (a free default preselected).
      void controller.doc.add(type, { x: Math.round(at.x), y: Math.round(at.y) });
    },
    [controller, screenToFlowPosition],
  );

  const onNodeContextMenu = useCallback(
    (e: MouseEvent, node: ServiceNode) => {
      e.preventDefault();
      setContextMenu({ service: node.id, x: e.clientX, y: e.clientY });
    },
    [setContextMenu],
  );

  const onNodeDoubleClick = useCallback((_e: MouseEvent, node: ServiceNode) => openLogs(node.id), [openLogs]);

  // Keyboard control of the selected nodes: s start, x stop, r restart, l logs, f fit view.
  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, textarea, select, .nokey')) return;
      // Ctrl+S saves (App), Ctrl+R reloads…: chords are not node commands.
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const selected = graph.getState().nodes.filter((n) => n.selected).map((n) => n.id);
      if (e.key === 'f') return void fit({ duration: 200 });
      if (selected.length === 0 || offline) return;
      if (e.key === 's') void controller.start(selected);
      else if (e.key === 'x') void controller.stop(selected);
      else if (e.key === 'r') void controller.restart(selected);
      else if (e.key === 'l') openLogs(selected[0]);
    },
    [controller, fit, graph, openLogs, offline],
  );

  // A palette click adds the service in the middle of what is on screen.
  const addAtCentre = useCallback(
    (type: TargetType) => {
      const r = canvas.current?.getBoundingClientRect();
      if (!r) return;
      const at = screenToFlowPosition({ x: r.x + r.width / 2 - NODE_WIDTH / 2, y: r.y + r.height / 2 - NODE_HEIGHT / 2 });
      void controller.doc.add(type, { x: Math.round(at.x), y: Math.round(at.y) });
    },
    [controller, screenToFlowPosition],
  );

  return (
    <div className={`graph-view${large ? ' large' : ''}`} data-testid="graph-view" data-large={large} onKeyDown={onKeyDown} tabIndex={0}>
      <CanvasRail
        onFit={() => fit({ duration: 200 })}
        after={
          <>
            <RailButton label="Auto layout" title="Auto layout (elk)" testid="auto-layout" disabled={offline} onClick={() => void controller.elkLayout()}>
              ⇶
            </RailButton>
            {!large && (
              <RailButton label="Minimap" title={minimap ? 'Hide the minimap' : 'Show the minimap'} testid="minimap-toggle" pressed={minimap} onClick={() => setMinimap(!minimap)}>
                ▣
              </RailButton>
            )}
          </>
        }
      >
        <Palette onAdd={addAtCentre} disabled={offline} />
      </CanvasRail>
      <div className="graph-canvas" ref={canvas} onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
        <ReactFlow<ServiceNode, Edge>
          nodes={shownNodes}
          edges={large ? NO_EDGES : edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={onNodeDragStop}
          onConnect={onConnect}
          onBeforeDelete={onBeforeDelete}
          onNodeContextMenu={onNodeContextMenu}
          onNodeDoubleClick={onNodeDoubleClick}
          onPaneClick={onPaneClick}
          onPaneContextMenu={onPaneContextMenu}
          onMoveEnd={onMoveEnd}
          nodesDraggable={!offline}
          nodesConnectable={!offline}
          colorMode={theme}
          defaultMarkerColor={MARKER[theme]}
          minZoom={0.05}
          onlyRenderVisibleElements
          deleteKeyCode={offline ? null : ['Delete', 'Backspace']}
          proOptions={{ hideAttribution: true }}
        >
          {large ? !overview && <EdgeLayer /> : <Background />}
          {showMinimap && <MiniMap pannable zoomable ariaLabel="Minimap" style={{ width: MINIMAP.width, height: MINIMAP.height }} />}
          {overview && <OverviewCanvas />}
        </ReactFlow>
      </div>
    </div>
  );
}
