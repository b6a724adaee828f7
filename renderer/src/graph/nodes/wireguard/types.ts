import type { Node } from '@xyflow/react';
import type { ServiceNodeSummary } from '../../../../../shared/graph/graph-model';

export interface WireguardNodeData extends Record<string, unknown> {
  summary: ServiceNodeSummary & { type: 'Wireguard' };
}
export type WireguardNodeType = Node<WireguardNodeData, 'wireguard'>;
