// Where "fit view" puts the graph: every node inside the canvas with a margin, and none under the
// minimap in the canvas's bottom-right corner. Reserving a band the corner's height along the
// bottom, or its width along the right side, keeps the nodes clear of it whatever the zoom; of
// the two, the one that leaves the graph larger wins (a wide graph gives up height, a tall one
// width). Pure: the graph and topology views call it, a property test proves the guarantee.
import { getViewportForBounds, type Rect, type Viewport } from '@xyflow/react';

export interface FitOptions {
  /** Space kept free on every side (px). */
  margin: number;
  /** The box in the bottom-right corner nodes must not cover (the minimap and its margins). */
  corner?: { width: number; height: number } | null;
  minZoom: number;
  maxZoom: number;
}

export function fitViewport(bounds: Rect, area: { width: number; height: number }, opts: FitOptions): Viewport {
  const m = `${opts.margin}px` as const;
  const fit = (padding: { top: `${number}px`; right: `${number}px`; bottom: `${number}px`; left: `${number}px` }) =>
    getViewportForBounds(nonEmpty(bounds), area.width, area.height, opts.minZoom, opts.maxZoom, padding);
  if (!opts.corner) return fit({ top: m, right: m, bottom: m, left: m });
  const bottom = fit({ top: m, right: m, bottom: `${opts.corner.height + opts.margin}px`, left: m });
  const right = fit({ top: m, right: `${opts.corner.width + opts.margin}px`, bottom: m, left: m });
  return right.zoom > bottom.zoom ? right : bottom;
}

/** A graph of one point (or nothing) still has a size to fit. */
function nonEmpty(b: Rect): Rect {
  return { x: b.x, y: b.y, width: Math.max(b.width, 1), height: Math.max(b.height, 1) };
}

/** The screen rectangle `bounds` covers at viewport `v`. */
export function onScreen(bounds: Rect, v: Viewport): Rect {
  return { x: bounds.x * v.zoom + v.x, y: bounds.y * v.zoom + v.y, width: bounds.width * v.zoom, height: bounds.height * v.zoom };
}
