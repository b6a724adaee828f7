// Every dependency edge of a large graph as one SVG path inside the viewport (and their arrowheads,
// at the dependency end, as a second one). React Flow draws
// each edge as its own <svg> with a hit-test path; at 1500 edges that is most of the paint and
// mount cost of a pan. The path holds only the edges crossing the visible area (a path of 1500
// segments is re-stroked for every raster tile on every pan frame), updated outside React when
// the viewport moves. Large graphs trade edge clicking for this (dependencies are removed from
// the inspector or by deleting a node instead); small graphs keep React Flow's edges.
import { useStoreApi, ViewportPortal } from '@xyflow/react';
import { memo, useEffect, useRef } from 'react';
import { useController } from '../actions/controller-context';
import { NODE_HEIGHT, NODE_WIDTH } from './scale';

/** Arrowhead length and half-width (flow px): at the dependency end, as React Flow's edges have. */
const HEAD = 11;
const HALF = 4.5;

function arrowAt(ax: number, ay: number, bx: number, by: number): string {
  const len = Math.hypot(bx - ax, by - ay) || 1;
  const ux = (bx - ax) / len;
  const uy = (by - ay) / len;
  const cx = ax + ux * HEAD;
  const cy = ay + uy * HEAD;
  return `M${ax} ${ay}L${(cx - uy * HALF).toFixed(1)} ${(cy + ux * HALF).toFixed(1)}L${(cx + uy * HALF).toFixed(1)} ${(cy - ux * HALF).toFixed(1)}Z`;
}

function EdgeLayerImpl() {
  const path = useRef<SVGPathElement>(null);
  const heads = useRef<SVGPathElement>(null);
  const flow = useStoreApi();
  const { stores } = useController();

  useEffect(() => {
    let segments: Array<[number, number, number, number]> = [];
    let last = '';
    const rebuild = (): void => {
      const { nodes, edges } = stores.graph.getState();
      const at = new Map(nodes.map((n) => [n.id, n.position]));
      segments = [];
      for (const e of edges) {
        const a = at.get(e.source);
        const b = at.get(e.target);
        if (a && b) segments.push([a.x + NODE_WIDTH, a.y + NODE_HEIGHT / 2, b.x, b.y + NODE_HEIGHT / 2]);
      }
    };
    const draw = (): void => {
      const { transform, width, height } = flow.getState();
      const [tx, ty, k] = transform;
      // The visible area in flow coordinates plus one screen around it: a pan changes the path
      // (and re-rasterises it) only every screen or so, not on every frame.
      const margin = Math.max(width, height) / k;
      const x0 = -tx / k - margin;
      const y0 = -ty / k - margin;
      const x1 = (width - tx) / k + margin;
      const y1 = (height - ty) / k + margin;
      let d = '';
      let h = '';
      for (const [ax, ay, bx, by] of segments) {
        if (Math.max(ax, bx) < x0 || Math.min(ax, bx) > x1 || Math.max(ay, by) < y0 || Math.min(ay, by) > y1) continue;
        d += `M${ax} ${ay}L${bx} ${by}`;
        h += arrowAt(ax, ay, bx, by);
      }
      if (d !== last && path.current) {
        path.current.setAttribute('d', (last = d));
        heads.current?.setAttribute('d', h);
      }
    };
    let nodes = stores.graph.getState().nodes;
    let edges = stores.graph.getState().edges;
    rebuild();
    draw();
    const offGraph = stores.graph.subscribe((s) => {
      if (s.nodes === nodes && s.edges === edges) return;
      ({ nodes, edges } = s);
      rebuild();
      draw();
    });
    const offFlow = flow.subscribe(draw);
    return () => {
      offGraph();
      offFlow();
    };
  }, [flow, stores]);

  return (
    <ViewportPortal>
      <svg className="edge-layer" data-testid="edge-layer" aria-hidden="true">
        <path ref={path} />
        <path ref={heads} className="edge-heads" />
      </svg>
    </ViewportPortal>
  );
}

export const EdgeLayer = memo(EdgeLayerImpl);
