// How a service at one location reaches a service at another. Resolvers are registered per
// (from kind, to kind) pair, so each kind of location brings its own rules (Docker networks,
// LAN hosts, WireGuard peers) without a central switch that every feature has to edit.
import type { ServiceConfig } from '../../shared/config-types.js';
import type { ResolvedEdge, ServiceLocation } from '../../shared/network-types.js';

export type LocationKind = ServiceLocation['kind'];

export interface Endpoint<L extends ServiceLocation = ServiceLocation> {
  name: string;
  /** Absent for the host view (this machine asking how to reach a service). */
  config?: ServiceConfig;
  location: L;
}

export interface ResolveRequest {
  from: Endpoint;
  to: Endpoint & { config: ServiceConfig };
}

/** What a resolver decides; `from`/`to` are filled in by the NetworkManager. */
export type Resolution = Omit<ResolvedEdge, 'from' | 'to'>;

export interface LocationResolver {
  /**
   * Synchronous so env injection and topology stay cheap; throw a HarnessError when the pair
   * cannot connect in this configuration (the message should say what to change).
   */
  resolve(req: ResolveRequest): Resolution;
  /**
   * Optional asynchronous preparation before `resolve` is used for a start (inspect a Docker
   * network for its gateway, detect the WireGuard interface…). Called by NetworkManager.prepare.
   */
  prepare?(req: ResolveRequest): Promise<void>;
}

/** The pseudo-service name used for the host view ("this machine"). */
export const HOST_ENDPOINT = '(this machine)';

export function describeLocation(loc: ServiceLocation): string {
  switch (loc.kind) {
    case 'local':
      return 'this machine';
    case 'docker':
      return `Docker network ${loc.network}`;
    case 'lan':
      return `LAN host ${loc.host}`;
    case 'wireguard':
      return `WireGuard peer ${loc.host}`;
  }
}
