// The location model: where a service runs, and so how others reach it.
import type { ConnectionState } from './service-state.js';

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
  /** Set when the edge is bridged over an SSH connection: `address`/`port` are the tunnel's. */
  tunnel?: EdgeTunnel;
}

/** A tunnel carrying one edge over the SSH connection to a host. */
export interface EdgeTunnel {
  /** `remote-forward` (ssh -R): listens on the host, carries to this machine. `local-forward`
   * (ssh -L): listens here, carries to an address as seen from the host. `publish`: listens on
   * this machine's WireGuard address, carries to a port here that peers cannot reach (a
   * container or a process on 127.0.0.1); no SSH involved. */
  kind: 'remote-forward' | 'local-forward' | 'publish';
  /** The SSH connection that carries it (`user@host:port`); for `publish`, the WireGuard
   * interface whose address it listens on. */
  via: string;
  /** Where the tunnel ends: on this machine (remote forward) or as seen from the host. */
  target: { host: string; port: number };
  /** Not yet opened (it is opened when the dependent starts), open, or down with its host. */
  state: 'planned' | 'pending' | 'active' | 'down' | 'failed' | 'closed';
  /** Why a tunnel rather than the direct address. */
  reason: string;
}

/** A host that services of the project run on, as its SSH connection sees it. */
export interface RemoteHostInfo {
  /** `user@host:port`. */
  key: string;
  host: string;
  port: number;
  user: string;
  connection: ConnectionState;
  reason?: string;
  /** The host's addresses: the one connected to, and its own for the connection (SSH_CONNECTION). */
  addresses: string[];
  /** How the host sees this machine (the client half of its SSH_CONNECTION); differs from
   * routeSource behind NAT. */
  seesThisMachineAs?: string;
  /** This machine's source address on the route to the host. */
  routeSource?: string;
  services: string[];
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

/** What an executor adds to the topology (ServiceExecutor.topology). */
export interface TopologyContribution {
  dockerNetworks?: DockerNetworkInfo[];
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
