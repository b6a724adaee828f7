// Fitting a canvas (graph or topology view) to its nodes, clear of the minimap: once when the view
// is ready, whenever asked (the fit button, `f`, a layout landing), after a panel changes size
// (the log dock, the inspector: `layoutRevision`), and after any other resize of the canvas as
// long as the user has not panned or zoomed since the last fit (then their view is left alone).
import { useReactFlow, useStoreApi, type OnMove, type Viewport } from '@xyflow/react';
import { useCallback, useEffect, useRef, type RefObject } from 'react';
import type { UiStore } from '../../stores/ui-store';
import { fitViewport } from './fit-viewport';

/** Fitting never zooms in past this: a few nodes are not blown up to fill a large window. */
export const FIT_MAX_ZOOM = 1.1;
export const FIT_MARGIN = 24;

export interface AutoFit {
  fit(opts?: { duration?: number }): void;
  /** Wire to React Flow's onMoveEnd: a pan or zoom by the user ends "fitted". */
  onMoveEnd: OnMove;
}

export function useAutoFit(canvas: RefObject<HTMLElement | null>, ui: UiStore, opts: { corner: { width: number; height: number } | null }): AutoFit {
  const flow = useStoreApi();
  const { getNodes, getNodesBounds, setViewport } = useReactFlow();
  const fitted = useRef(false);
  const fittedAt = useRef<Viewport | null>(null);
  const corner = useRef(opts.corner);
  corner.current = opts.corner;

  const fit = useCallback(
    ({ duration }: { duration?: number } = {}) => {
      const { width, height, minZoom } = flow.getState();
      const nodes = getNodes();
      if (!width || !height || nodes.length === 0) return;
      const v = fitViewport(getNodesBounds(nodes), { width, height }, { margin: FIT_MARGIN, corner: corner.current, minZoom, maxZoom: FIT_MAX_ZOOM });
      fitted.current = true;
      fittedAt.current = v;
      void setViewport(v, duration ? { duration } : undefined);
    },
    [flow, getNodes, getNodesBounds, setViewport],
  );

  const onMoveEnd: OnMove = useCallback((event, v) => {
    // Programmatic moves (fits, keeping the selection in view) come without an event; a click on
    // a card starts and ends a "move" that moved nothing.
    const at = fittedAt.current;
    if (event && (!at || Math.abs(at.x - v.x) > 0.5 || Math.abs(at.y - v.y) > 0.5 || Math.abs(at.zoom - v.zoom) > 1e-4)) fitted.current = false;
  }, []);

  // A panel's size changed: fit once the canvas has its new size (React Flow measures it on
  // its own ResizeObserver; a short wait lets that land first).
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = ui.subscribe((s, prev) => {
      if (s.layoutRevision === prev.layoutRevision) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => fit(), 120);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [ui, fit]);

  // Any other resize (the window, the inspector opening): refit only a view that is still fitted.
  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = '';
    const ro = new ResizeObserver(([entry]) => {
      const size = `${Math.round(entry.contentRect.width)}x${Math.round(entry.contentRect.height)}`;
      if (size === last) return;
      const first = last === '';
      last = size;
      if (first) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => fitted.current && fit(), 120);
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      if (timer) clearTimeout(timer);
    };
  }, [canvas, fit]);

  return { fit, onMoveEnd };
}
