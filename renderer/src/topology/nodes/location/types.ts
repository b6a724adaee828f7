import type { Node } from '@xyflow/react';
import type { LocationGroup } from '../../topology-layout';

export interface LocationNodeData extends Record<string, unknown> {
  group: LocationGroup;
}
export type LocationNodeType = Node<LocationNodeData, 'location'>;
export type LocationHeadNodeType = Node<LocationNodeData, 'location-head'>;
