// Size thresholds of the graph view. Above LARGE_GRAPH_NODES the view trades decoration for frame
// time: fixed-size nodes (React Flow then mounts only what is on screen instead of measuring all),
// one SVG path for every edge, no minimap or background pattern, and elk only on demand.
import { Position, type NodeHandle } from '@xyflow/react';

export const NODE_WIDTH = 250;
export const NODE_HEIGHT = 132;

export const LARGE_GRAPH_NODES = 200;
/** elk refines the quick layered layout by itself only up to this many nodes (it takes seconds above). */
export const ELK_AUTO_MAX_NODES = 150;

/** A large graph below this zoom is drawn on one canvas (OverviewCanvas) instead of as nodes. */
export const OVERVIEW_BELOW_ZOOM = 0.35;

/** The minimap's size, and the corner of the canvas it takes (with React Flow's 15 px panel
 * margin and a gap): fitting keeps nodes out of that corner. */
export const MINIMAP = { width: 168, height: 112 };
export const MINIMAP_CORNER = { width: MINIMAP.width + 15 + 12, height: MINIMAP.height + 15 + 12 };
/** Below this canvas size the minimap is not shown (the graph needs the room more). */
export const MINIMAP_MIN_CANVAS = { width: 720, height: 420 };

/** Level of detail by zoom: full card, head only, coloured block. */
export type Lod = 'full' | 'compact' | 'block';

export function lodForZoom(zoom: number): Lod {
  return zoom >= 0.55 ? 'full' : zoom >= 0.28 ? 'compact' : 'block';
}

/** Handle geometry of a fixed-size node, so React Flow need not measure it before drawing edges. */
export const FIXED_HANDLES: NodeHandle[] = [
  { type: 'target', position: Position.Left, x: -4, y: NODE_HEIGHT / 2 - 4, width: 8, height: 8 },
  { type: 'source', position: Position.Right, x: NODE_WIDTH - 4, y: NODE_HEIGHT / 2 - 4, width: 8, height: 8 },
];
