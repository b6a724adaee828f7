// A large graph seen from far away, drawn on one canvas: a coloured block per service, a line
// per dependency, names once they are legible. At that zoom a thousand DOM nodes cost 100+ ms a
// frame in software rendering (paint, layerisation and hit-testing of a thousand transformed
// boxes); the canvas redraws in a few. It repaints on viewport, graph and status changes, at most
// once per frame, outside React. React Flow's nodes are hidden meanwhile (GraphView).
import { useStoreApi } from '@xyflow/react';
import { memo, useEffect, useRef } from 'react';
import type { ServiceStatus } from '../../../shared/service-state';
import { useController } from '../actions/controller-context';
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
};

function OverviewCanvasImpl() {
  const ref = useRef<HTMLCanvasElement>(null);
  const flow = useStoreApi();
  const { stores } = useController();

  useEffect(() => {
    const canvas = ref.current!;
    const ctx = canvas.getContext('2d', { alpha: true })!;
    let frame = 0;
    let colours: Record<string, string> = {};
    let theme = '';

    const draw = (): void => {
      frame = 0;
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
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      const nw = NODE_WIDTH * k;
      const nh = NODE_HEIGHT * k;
      const at = new Map<string, { x: number; y: number }>();
      for (const n of nodes) at.set(n.id, { x: n.position.x * k + tx, y: n.position.y * k + ty });

      ctx.beginPath();
      for (const e of edges) {
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

      // One fill colour at a time: grouped by status.
      const byColour = new Map<string, Array<{ x: number; y: number }>>();
      const onScreen: Array<{ id: string; x: number; y: number; selected: boolean }> = [];
      for (const n of nodes) {
        const p = at.get(n.id)!;
        if (p.x + nw < 0 || p.y + nh < 0 || p.x > w || p.y > h) continue;
        const c = colours[STATUS_VAR[states[n.id]?.status ?? 'stopped']] ?? colours['--muted'];
        let list = byColour.get(c);
        if (!list) byColour.set(c, (list = []));
        list.push(p);
        onScreen.push({ id: n.id, x: p.x, y: p.y, selected: !!n.selected });
      }
      for (const [c, list] of byColour) {
        ctx.fillStyle = c;
        for (const p of list) ctx.fillRect(p.x, p.y, nw, nh);
      }
      ctx.strokeStyle = colours['--text'];
      ctx.lineWidth = 2;
      for (const s of onScreen) if (s.selected) ctx.strokeRect(s.x - 2, s.y - 2, nw + 4, nh + 4);
      // Names only where legible: below ~7 px they are noise that costs a frame.
      const font = Math.min(34 * k, 16);
      if (font >= 7) {
        ctx.fillStyle = colours['--bg'];
        ctx.font = `600 ${font}px system-ui, sans-serif`;
        ctx.textBaseline = 'middle';
        for (const s of onScreen) ctx.fillText(s.id, s.x + 6 * k + 2, s.y + nh / 2, nw - 8);
      }
      if (canvas.dataset.drawn !== String(onScreen.length)) {
        if (canvas.dataset.drawn === undefined) performance.mark('harness:graph-painted');
        canvas.dataset.drawn = String(onScreen.length);
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
