// Module-scope registry: React Flow must receive the same object on every render.
import type { NodeTypes } from '@xyflow/react';
import type { NodeKind } from '../../../../shared/graph/graph-model';
import { DockerNode } from './docker/DockerNode';
import { ProcessNode } from './process/ProcessNode';
import { RemoteLanNode } from './remote-lan/RemoteLanNode';
import { WireguardNode } from './wireguard/WireguardNode';

export const nodeTypes = {
  process: ProcessNode,
  docker: DockerNode,
  'remote-lan': RemoteLanNode,
  wireguard: WireguardNode,
} satisfies Record<NodeKind, unknown> as unknown as NodeTypes;
