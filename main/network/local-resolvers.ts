// Built-in resolvers. Process ↔ Process on this machine is loopback; from this machine, a LAN host
// or a WireGuard peer is reached at its configured host name or address. Other pairs (Docker,
// remote ↔ remote) are registered by the code that knows those locations.
import type { LocationResolver } from './location-resolver.js';
import { declaredPorts } from './declared-ports.js';

export const LOOPBACK = '127.0.0.1';

export const localToLocal: LocationResolver = {
  resolve({ to }) {
    const port = declaredPorts(to.config.target)[0];
    return port === undefined
      ? { address: LOOPBACK, note: 'both on this machine (loopback)' }
      : { address: LOOPBACK, port, note: 'both on this machine (loopback)' };
  },
};

/** Reaching a LAN host or WireGuard peer directly from this machine by its configured host. */
export const localToHost: LocationResolver = {
  resolve({ to }) {
    const loc = to.location;
    const host = loc.kind === 'lan' || loc.kind === 'wireguard' ? loc.host : '';
    const port = declaredPorts(to.config.target)[0];
    const note = loc.kind === 'wireguard' ? `over the WireGuard tunnel${loc.via ? ` (${loc.via})` : ''}` : 'over the LAN';
    return port === undefined ? { address: host, note } : { address: host, port, note };
  },
};
