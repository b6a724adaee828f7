// A large graph seen from far away, drawn on one canvas: a coloured block per service, a line
// per dependency, names once they are legible. At that zoom a thousand DOM nodes cost 100+ ms a
// frame in software rendering (paint, layerisation and hit-testing of a thousand transformed
// boxes). The graph is rendered once per zoom level into a bitmap, so a pan is one drawImage and
// a status change repaints a few blocks; it redraws on viewport, graph and status changes, at
// most once per frame, outside React. React Flow's nodes are hidden meanwhile (GraphView).
import { useStoreApi, type Edge } from '@xyflow/react';
import { memo, useEffect, useRef } from 'react';
import type { ServiceState, ServiceStatus } from '../../../shared/service-state';
import { useController } from '../actions/controller-context';
import type { ServiceNode } from '../stores/graph-store';
import { NODE_HEIGHT, NODE_WIDTH } from './scale';

const STATUS_VAR: Record<ServiceStatus, string> = {
  stopped: '--muted',
  starting: '--warn',
  stopping: '--warn',
  running: '--accent',
  healthy: '--ok',
  unhealthy: '--danger',
  failed: '--danger',
  exited: '--exited',
  unknown: '--warn',
};

type Colours = Record<string, string>;
type Pos = { x: number; y: number };
type Spot = { id: string; x: number; y: number };

function colourOf(colours: Colours, st: ServiceState | undefined): string {
  return colours[STATUS_VAR[st?.status ?? 'stopped']] ?? colours['--muted'];
}

/** One service's block (and its name, where legible) at screen position (x, y), zoom k. */
function paintBlock(ctx: CanvasRenderingContext2D, s: Spot, k: number, fill: string, colours: Colours): void {
  const nw = NODE_WIDTH * k;
  const nh = NODE_HEIGHT * k;
  ctx.fillStyle = fill;
  ctx.fillRect(s.x, s.y, nw, nh);
  // Below ~7 px names are noise that costs a frame.
  if (Math.min(34 * k, 16) >= 7) {
    ctx.fillStyle = colours['--bg'];
    ctx.fillText(s.id, s.x + 6 * k + 2, s.y + nh / 2, nw - 8);
  }
}

/**
 * The graph at zoom k, flow point (0, 0) at (ox, oy), clipped to w x h: edges, selection
 * outlines, then blocks grouped by colour. Returns where each painted service went.
 */
function paintGraph(ctx: CanvasRenderingContext2D, g: { nodes: ServiceNode[]; edges: Edge[]; states: Record<string, ServiceState> }, k: number, ox: number, oy: number, w: number, h: number, colours: Colours): Map<string, Spot> {
  const nw = NODE_WIDTH * k;
  const nh = NODE_HEIGHT * k;
  ctx.font = `600 ${Math.min(34 * k, 16)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  const at = new Map<string, Pos>();
  for (const n of g.nodes) at.set(n.id, { x: n.position.x * k + ox, y: n.position.y * k + oy });
  ctx.beginPath();
  for (const e of g.edges) {
    const a = at.get(e.source);
    const b = at.get(e.target);
    if (!a || !b) continue;
    if ((a.x < 0 && b.x < 0) || (a.x > w && b.x > w) || (a.y < 0 && b.y < 0) || (a.y > h && b.y > h)) continue;
    ctx.moveTo(a.x + nw, a.y + nh / 2);
    ctx.lineTo(b.x, b.y + nh / 2);
  }
  ctx.strokeStyle = colours['--border'];
  ctx.lineWidth = 1;
  ctx.stroke();
  const painted = new Map<string, Spot>();
  ctx.strokeStyle = colours['--text'];
  ctx.lineWidth = 2;
  for (const n of g.nodes) {
    const p = at.get(n.id)!;
    if (p.x + nw < 0 || p.y + nh < 0 || p.x > w || p.y > h) continue;
    painted.set(n.id, { id: n.id, x: p.x, y: p.y });
    if (n.selected) ctx.strokeRect(p.x - 2, p.y - 2, nw + 4, nh + 4);
  }
  const byColour = new Map<string, Spot[]>();
  for (const s of painted.values()) {
    const c = colourOf(colours, g.states[s.id]);
    let list = byColour.get(c);
    if (!list) byColour.set(c, (list = []));
    list.push(s);
  }
  for (const [c, list] of byColour) for (const s of list) paintBlock(ctx, s, k, c, colours);
  return painted;
}

/** The whole graph rendered once at one zoom: a pan is then one drawImage. */
interface GraphBitmap {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  k: number;
  dpr: number;
  nodes: unknown;
  edges: unknown;
  theme: string;
  /** Flow coordinates of the bitmap's top-left corner. */
  minX: number;
  minY: number;
  spots: Map<string, Spot>;
  states: Record<string, ServiceState>;
}

/** Bitmaps above this many pixels are not worth their memory: draw directly instead. */
const MAX_BITMAP_PIXELS = 16_000_000;
const PAD = 4;

function buildBitmap(g: { nodes: ServiceNode[]; edges: Edge[]; states: Record<string, ServiceState> }, k: number, dpr: number, theme: string, colours: Colours): GraphBitmap | null {
  if (g.nodes.length === 0) return null;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of g.nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + NODE_WIDTH);
    maxY = Math.max(maxY, n.position.y + NODE_HEIGHT);
  }
  const w = (maxX - minX) * k + 2 * PAD;
  const h = (maxY - minY) * k + 2 * PAD;
  if (w * h * dpr * dpr > MAX_BITMAP_PIXELS) return null;
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(w * dpr);
  canvas.height = Math.ceil(h * dpr);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const spots = paintGraph(ctx, g, k, PAD - minX * k, PAD - minY * k, w, h, colours);
  return { canvas, ctx, k, dpr, nodes: g.nodes, edges: g.edges, theme, minX, minY, spots, states: g.states };
}

function OverviewCanvasImpl() {
  const ref = useRef<HTMLCanvasElement>(null);
  const flow = useStoreApi();
  const { stores } = useController();

  useEffect(() => {
    const canvas = ref.current!;
    const ctx = canvas.getContext('2d', { alpha: true })!;
    let frame = 0;
    let colours: Colours = {};
    let theme = '';
    let bitmap: GraphBitmap | null = null;
    let lastK = NaN;

    const draw = (): void => {
      frame = 0;
      // The first render starts in the overview before the initial fit (GraphView): the viewport
      // is then the default zoom 1, not the graph. Draw once it is fitted (the flow store's
      // change schedules that draw).
      if (!flow.getState().panZoom || flow.getState().fitViewQueued) return;
      const dpr = window.devicePixelRatio || 1;
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
        canvas.width = Math.round(w * dpr);
        canvas.height = Math.round(h * dpr);
      }
      if (theme !== stores.ui.getState().theme) {
        theme = stores.ui.getState().theme;
        const css = getComputedStyle(canvas);
        colours = Object.fromEntries(['--muted', '--warn', '--accent', '--ok', '--danger', '--exited', '--text', '--bg', '--border'].map((v) => [v, css.getPropertyValue(v).trim() || '#888']));
      }
      const [tx, ty, k] = flow.getState().transform;
      const { nodes, edges } = stores.graph.getState();
      const states = stores.run.getState().states;
      const g = { nodes, edges, states };
      // While the zoom changes every frame a bitmap would be thrown away at once: draw directly,
      // and build it once the zoom holds still.
      const settled = k === lastK;
      lastK = k;
      if (bitmap && (bitmap.k !== k || bitmap.dpr !== dpr || bitmap.nodes !== nodes || bitmap.edges !== edges || bitmap.theme !== theme)) bitmap = null;
      if (!bitmap && settled) bitmap = buildBitmap(g, k, dpr, theme, colours);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      if (bitmap) {
        if (bitmap.states !== states) {
          // Status changes repaint only the blocks that changed (opaque, drawn over the edges).
          bitmap.ctx.font = `600 ${Math.min(34 * k, 16)}px system-ui, sans-serif`;
          bitmap.ctx.textBaseline = 'middle';
          for (const s of bitmap.spots.values()) {
            if (states[s.id]?.status !== bitmap.states[s.id]?.status) paintBlock(bitmap.ctx, s, k, colourOf(colours, states[s.id]), colours);
          }
          bitmap.states = states;
        }
        ctx.drawImage(bitmap.canvas, Math.round((tx + bitmap.minX * k - PAD) * dpr), Math.round((ty + bitmap.minY * k - PAD) * dpr));
      } else {
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        paintGraph(ctx, g, k, tx, ty, w, h, colours);
        if (!settled) schedule();
      }
      let shown = 0;
      const nw = NODE_WIDTH * k;
      const nh = NODE_HEIGHT * k;
      for (const n of nodes) {
        const x = n.position.x * k + tx;
        const y = n.position.y * k + ty;
        if (x + nw >= 0 && y + nh >= 0 && x <= w && y <= h) shown++;
      }
      if (canvas.dataset.drawn !== String(shown)) {
        if (canvas.dataset.drawn === undefined) performance.mark('harness:graph-painted');
        canvas.dataset.drawn = String(shown);
      }
    };

    const schedule = (): void => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    const offs = [flow.subscribe(schedule), stores.graph.subscribe(schedule), stores.run.subscribe(schedule), stores.ui.subscribe(schedule)];
    const resize = new ResizeObserver(schedule);
    resize.observe(canvas);
    draw();
    return () => {
      offs.forEach((off) => off());
      resize.disconnect();
      cancelAnimationFrame(frame);
    };
  }, [flow, stores]);

  return <canvas ref={ref} className="graph-overview" data-testid="graph-overview" aria-label="Service graph overview: zoom in to interact with a service" />;
}

export const OverviewCanvas = memo(OverviewCanvasImpl);

/** The service under a flow-space point, for clicks on the overview. */
export function serviceAt(nodes: ReadonlyArray<{ id: string; position: { x: number; y: number } }>, p: { x: number; y: number }): string | null {
  for (const n of nodes) {
    if (p.x >= n.position.x && p.x <= n.position.x + NODE_WIDTH && p.y >= n.position.y && p.y <= n.position.y + NODE_HEIGHT) return n.id;
  }
  return null;
}
