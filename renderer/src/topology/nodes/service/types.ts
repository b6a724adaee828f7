import type { Node } from '@xyflow/react';
import type { TargetType } from '../../../../../shared/config-types';
import type { ServiceLocation } from '../../../../../shared/network-types';

export interface TopologyServiceData extends Record<string, unknown> {
  name: string;
  type: TargetType | null;
  location: ServiceLocation;
}
export type TopologyServiceNodeType = Node<TopologyServiceData, 'topology-service'>;
