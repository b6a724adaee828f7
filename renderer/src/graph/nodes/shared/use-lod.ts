// The node's level of detail, from React Flow's zoom. The selector returns one of three strings,
// so panning (which changes the transform on every frame) re-renders nothing; only crossing a
// zoom threshold does.
import { useStore as useFlowStore } from '@xyflow/react';
import { lodForZoom, type Lod } from '../../scale';

export function useLod(): Lod {
  return useFlowStore((s) => lodForZoom(s.transform[2]));
}
