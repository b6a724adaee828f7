import type { Node } from '@xyflow/react';
import type { ServiceNodeSummary } from '../../../../../shared/graph/graph-model';

export interface ProcessNodeData extends Record<string, unknown> {
  summary: ServiceNodeSummary & { type: 'Process' };
}
export type ProcessNodeType = Node<ProcessNodeData, 'process'>;
