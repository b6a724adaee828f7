// The location model: where a service runs, and so how others reach it.

export type ServiceLocation =
  | { kind: 'local' }
  | { kind: 'docker'; network: string; /** container's address on that network, once known */ ip?: string }
  | { kind: 'lan'; host: string }
  | { kind: 'wireguard'; host: string; /** the tunnel interface that reaches it, once detected */ via?: string };

export interface NetworkInterfaceInfo {
  name: string;
  addresses: string[];
  kind: 'loopback' | 'ethernet' | 'docker' | 'wireguard' | 'other';
}

/** The address at which `from` reaches `to`, as injected into `from`'s environment. */
export interface ResolvedEdge {
  from: string;
  to: string;
  address: string;
  port?: number;
  /** Why this address was chosen, or why it may not connect. */
  note?: string;
  warning?: string;
}

export interface TopologySnapshot {
  interfaces: NetworkInterfaceInfo[];
  services: Array<{ name: string; location: ServiceLocation }>;
  edges: ResolvedEdge[];
}
