// Module-scope registries of the topology view: React Flow must receive the same objects on every render.
import type { EdgeTypes, NodeTypes } from '@xyflow/react';
import { AddressEdge } from './edges/AddressEdge';
import { LocationHead, LocationNode } from './nodes/location/LocationNode';
import { TopologyServiceNode } from './nodes/service/TopologyServiceNode';

export const topologyNodeTypes = { location: LocationNode, 'location-head': LocationHead, 'topology-service': TopologyServiceNode } as unknown as NodeTypes;
export const topologyEdgeTypes = { address: AddressEdge } as unknown as EdgeTypes;
