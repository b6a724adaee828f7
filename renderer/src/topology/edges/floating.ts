// Where a topology edge leaves and meets its cards: the sides that face each other. Groups sit
// side by side and in rows, so a dependency may lie in any direction; fixed left/right handles
// would send edges back across whole groups. Pure.
import { Position } from '@xyflow/react';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EdgeEnds {
  sourceX: number;
  sourceY: number;
  targetX: number;
  targetY: number;
  sourcePosition: Position;
  targetPosition: Position;
}

export function facingSides(a: Box, b: Box): EdgeEnds {
  const dx = b.x + b.width / 2 - (a.x + a.width / 2);
  const dy = b.y + b.height / 2 - (a.y + a.height / 2);
  // Compare the offsets in units of the boxes' sizes: side by side means left/right.
  const horizontal = Math.abs(dx) / ((a.width + b.width) / 2) >= Math.abs(dy) / ((a.height + b.height) / 2);
  const mid = (box: Box, p: Position) =>
    p === Position.Left ? [box.x, box.y + box.height / 2] : p === Position.Right ? [box.x + box.width, box.y + box.height / 2] : p === Position.Top ? [box.x + box.width / 2, box.y] : [box.x + box.width / 2, box.y + box.height];
  const sourcePosition = horizontal ? (dx >= 0 ? Position.Right : Position.Left) : dy >= 0 ? Position.Bottom : Position.Top;
  const targetPosition = horizontal ? (dx >= 0 ? Position.Left : Position.Right) : dy >= 0 ? Position.Top : Position.Bottom;
  const [sourceX, sourceY] = mid(a, sourcePosition);
  const [targetX, targetY] = mid(b, targetPosition);
  return { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition };
}
