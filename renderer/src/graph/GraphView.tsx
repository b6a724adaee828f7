// The service graph: React Flow over the graph store, gestures turned into config edits through
// the pure translation in shared/graph.ts.
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type NodeChange,
  type OnBeforeDelete,
} from '@xyflow/react';
import { useCallback, useEffect, useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { TARGET_TYPES, type TargetType } from '../../../shared/config-types';
import { addServiceEdits, connectEdits, disconnectEdits, moveEdits } from '../../../shared/graph';
import { useController } from '../actions/controller-context';
import type { ServiceNode } from '../stores/graph-store';
import { useGraph, useUi } from '../stores/stores';
import { nodeTypes } from './nodes/node-types';
import { Palette, PALETTE_MIME } from './Palette';

export function GraphView() {
  const nodes = useGraph((s) => s.nodes);
  const edges = useGraph((s) => s.edges);
  const controller = useController();
  const graph = controller.stores.graph;
  const { screenToFlowPosition, fitView } = useReactFlow();
  const setContextMenu = useUi((s) => s.setContextMenu);
  const openLogs = useUi((s) => s.openLogs);
  const theme = useUi((s) => s.theme);

  // Refit when an auto-layout lands; at low zoom, hide node details (cheaper to paint).
  useEffect(() => controller.onLayout(() => requestAnimationFrame(() => void fitView({ padding: 0.1 }))), [controller, fitView]);
  const [zoomedOut, setZoomedOut] = useState(false);

  const onNodesChange = useCallback((changes: NodeChange<ServiceNode>[]) => graph.getState().applyNodeChanges(changes), [graph]);

  const onNodeDragStop = useCallback(
    (_e: unknown, _node: ServiceNode, dragged: ServiceNode[]) => {
      void controller.edit(moveEdits(dragged.map((n) => ({ id: n.id, position: n.position }))));
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

  // Deleting from the canvas removes dependencies only; removing a service is a menu action.
  const onBeforeDelete: OnBeforeDelete<ServiceNode, Edge> = useCallback(
    async ({ edges: doomed }) => {
      const edits = doomed.flatMap((e) => disconnectEdits(e));
      if (edits.length > 0) void controller.edit(edits);
      return false;
    },
    [controller],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(PALETTE_MIME) as TargetType;
      if (!TARGET_TYPES.includes(type)) return;
      e.preventDefault();
      const at = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const { edits } = addServiceEdits(type, graph.getState().deps.keys(), at);
      void controller.edit(edits);
    },
    [controller, graph, screenToFlowPosition],
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
      if ((e.target as HTMLElement).closest('input, textarea, .nokey')) return;
      const selected = graph.getState().nodes.filter((n) => n.selected).map((n) => n.id);
      if (e.key === 'f') return void fitView({ duration: 200 });
      if (selected.length === 0) return;
      if (e.key === 's') void controller.start(selected);
      else if (e.key === 'x') void controller.stop(selected);
      else if (e.key === 'r') void controller.restart(selected);
      else if (e.key === 'l') openLogs(selected[0]);
    },
    [controller, fitView, graph, openLogs],
  );

  return (
    <div className={`graph-view${zoomedOut ? ' zoomed-out' : ''}`} data-testid="graph-view" onKeyDown={onKeyDown} tabIndex={0} onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <ReactFlow<ServiceNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        onBeforeDelete={onBeforeDelete}
        onNodeContextMenu={onNodeContextMenu}
        onNodeDoubleClick={onNodeDoubleClick}
        onPaneClick={() => setContextMenu(null)}
        colorMode={theme}
        fitView
        minZoom={0.05}
        onlyRenderVisibleElements
        onMove={(_e, vp) => setZoomedOut(vp.zoom < 0.45)}
        deleteKeyCode={['Delete', 'Backspace']}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <MiniMap pannable zoomable />
        <Controls />
      </ReactFlow>
      <Palette />
    </div>
  );
}
