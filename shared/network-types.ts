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
  /** The dependent reaches it through a tunnel (an SSH forward, a WireGuard link) rather than
   * directly; `note` then says which. */
  tunnel?: boolean;
}

export interface WireGuardPeerInfo {
  publicKey: string;
  /** `host:port` the peer was last seen at; absent when none is known yet. */
  endpoint?: string;
  /** CIDR ranges routed to this peer, e.g. `10.8.0.2/32`. */
  allowedIps: string[];
  /** Epoch seconds of the latest handshake; absent when there has been none. */
  latestHandshake?: number;
  rxBytes?: number;
  txBytes?: number;
  /** Seconds; absent when off. */
  persistentKeepalive?: number;
}

/** A WireGuard interface of this machine (private keys are never part of it). */
export interface WireGuardInterfaceInfo {
  name: string;
  /** This machine's addresses on it, CIDR (`10.8.0.1/24`): what peers reach it at. */
  addresses: string[];
  publicKey?: string;
  listenPort?: number;
  peers: WireGuardPeerInfo[];
  /** Where it is known from: `wg show`, the `networks:` section of services.yaml, or only the
   * list of links (a WireGuard interface whose peers `wg` could not read). */
  source: 'wg' | 'declared' | 'link';
  /** The `networks:` entry it comes from. */
  network?: string;
}

export interface WireGuardTopology {
  interfaces: WireGuardInterfaceInfo[];
  /** `ok` when `wg show` answered; otherwise why peers may be unknown. */
  status: 'ok' | 'wg-missing' | 'not-permitted' | 'failed';
  reason?: string;
  /** Interfaces `wg` lists that live in another network namespace (userspace WireGuard keeps
   * every namespace's control socket in one /var/run/wireguard): left out above. */
  otherNamespaces?: string[];
  /** Epoch milliseconds. */
  detectedAt: number;
}

/** A Docker network the project's containers join. */
export interface DockerNetworkInfo {
  name: string;
  /** CIDR, e.g. `172.18.0.0/16`; absent while the network does not exist or the engine is away. */
  subnet?: string;
  /** The bridge's address on this machine: how containers reach processes here. */
  gateway?: string;
  /** Why subnet and gateway are unknown ("not created yet…", "Docker engine not reachable…"). */
  reason?: string;
}

/** How the core's link to a remote host stands. */
export type HostConnectionState = 'connected' | 'connecting' | 'unreachable' | 'lost';

/** A machine services run on besides this one: a LAN host (SSH) or a WireGuard peer. */
export interface RemoteHostInfo {
  kind: 'lan' | 'wireguard';
  /** As services.yaml names it (`target.host`). */
  host: string;
  /** Its addresses as this machine reaches it. */
  addresses: string[];
  /** The address it reaches this machine at (what its services get for a dependency here). */
  seesUsAt?: string;
  state?: HostConnectionState;
  /** Why it is not connected, or anything else worth showing next to it. */
  reason?: string;
}

/** What an executor adds to the topology (ServiceExecutor.topology). */
export interface TopologyContribution {
  dockerNetworks?: DockerNetworkInfo[];
  hosts?: RemoteHostInfo[];
}

export interface TopologySnapshot {
  interfaces: NetworkInterfaceInfo[];
  services: Array<{ name: string; location: ServiceLocation }>;
  edges: ResolvedEdge[];
  /** This machine's WireGuard tunnels, once detected. */
  wireguard?: WireGuardTopology;
  /** This machine's host name (the header of its group in the topology view). */
  hostname?: string;
  /** The Docker networks of the project, with subnet and gateway once known. */
  dockerNetworks?: DockerNetworkInfo[];
  /** LAN hosts and WireGuard peers the project's services run on. */
  hosts?: RemoteHostInfo[];
}
