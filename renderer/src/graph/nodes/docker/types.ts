import type { Node } from '@xyflow/react';
import type { ServiceNodeSummary } from '../../../../../shared/graph/graph-model';

export interface DockerNodeData extends Record<string, unknown> {
  summary: ServiceNodeSummary & { type: 'Docker' };
}
export type DockerNodeType = Node<DockerNodeData, 'docker'>;
