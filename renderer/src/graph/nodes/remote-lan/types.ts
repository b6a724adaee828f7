import type { Node } from '@xyflow/react';
import type { ServiceNodeSummary } from '../../../../../shared/graph/graph-model';

export interface RemoteLanNodeData extends Record<string, unknown> {
  summary: ServiceNodeSummary & { type: 'RemoteLan' };
}
export type RemoteLanNodeType = Node<RemoteLanNodeData, 'remote-lan'>;
