// How services reach each other across hosts (the table in docs/environment.md), plugged into the
// NetworkManager per (from kind, to kind):
//   lan    -> local  : this machine's address on its route to the host + the process's port;
//                      a tunnel (remote forward) when the process listens only on 127.0.0.1, or
//                      the host sees this machine at another address (NAT), or `tunnel: always`
//   lan    -> docker  : a tunnel to the container's published port (Docker publishes on 127.0.0.1
//                      by default, which no other host reaches); direct when published on 0.0.0.0
//   local  -> lan     : the host's address + the service's port; a local forward when the service
//                      listens only on 127.0.0.1 on its host, or `tunnel: always`
//   docker -> lan     : the host's address (containers reach LAN hosts through Docker's NAT)
//   lan    -> lan     : loopback on the same host; else the other host's address, or a relay
//                      through this machine when the service listens only on its loopback
// Tunnels are opened in `prepare` (before the dependent starts); `resolve` only reads what is open,
// so the injected address is the tunnel's and the topology shows it.
import type { RemoteLanTarget, ServiceConfig, TunnelMode } from '../../../shared/config-types.js';
import type { ResolvedEdge } from '../../../shared/network-types.js';
import type { ContributedResolver, ResolverContext } from '../../core/executor.js';
import { declaredPorts } from '../../network/declared-ports.js';
import type { Endpoint as ResolveEndpoint, LocationResolver, Resolution, ResolveRequest } from '../../network/location-resolver.js';
import { loopbackOnly, readTcpListeners } from '../../os/tcp-listeners.js';
import type { HostInfo, SshHost } from '../../ssh/index.js';
import type { RemoteListeners } from './remote-listeners.js';
import type { TunnelRecord } from './remote-state-store.js';
import { localTunnelInfo, remoteTunnelInfo, type TunnelManager } from './tunnel-manager.js';

export interface RemoteResolverDeps {
  /** The pool's host for a remote service (its host, port, user, identity file). */
  hostFor(config: ServiceConfig): SshHost;
  tunnels: TunnelManager;
  listeners: RemoteListeners;
  /** A remote service's environment points into this remote forward (recorded with its run, so
   * a later supervisor re-opens it at the same port). */
  noteTunnel(from: string, rec: TunnelRecord): void;
}

const LOOPBACK = '127.0.0.1';

function remote(config: ServiceConfig | undefined): RemoteLanTarget | undefined {
  return config?.target.type === 'RemoteLan' ? config.target : undefined;
}

function modeOf(config: ServiceConfig | undefined): TunnelMode {
  return remote(config)?.tunnel ?? 'auto';
}

/** Behind NAT the host sees this machine at another address than the one it routes from. */
function natBetween(info: HostInfo | null): string | null {
  if (!info?.seenAs || !info.routeSourceAddress || info.seenAs.address === info.routeSourceAddress) return null;
  return `${info.key} sees this machine as ${info.seenAs.address}, not ${info.routeSourceAddress} (NAT between them)`;
}

/** Published on 0.0.0.0 / :: (every interface) or on loopback (Docker's default, and Harness's). */
function publishedEverywhere(config: ServiceConfig): boolean {
  const t = config.target;
  if (t.type !== 'Docker') return false;
  const first = t.ports[0];
  return typeof first === 'string' && /^(0\.0\.0\.0|\[::\]):/.test(first.trim());
}

export function remoteLocationResolvers(deps: RemoteResolverDeps, ctx: ResolverContext): ContributedResolver[] {
  const { tunnels, listeners } = deps;
  const warn = (from: ResolveEndpoint, to: string, text: string) => {
    if (from.config) ctx.onWarning(from.name, to, text);
  };

  // --- a remote service reaches something on this machine ---------------------------------

  /** Why the edge from remote `from` to local port `port` needs a tunnel, or null. */
  const tunnelToLocal = (req: ResolveRequest, port: number | undefined, host: SshHost): string | null => {
    if (port === undefined) return null;
    const mode = modeOf(req.from.config);
    if (mode === 'never') return null;
    if (mode === 'always') return `tunnel: always on ${req.from.name}`;
    if (req.to.location.kind === 'docker') return publishedEverywhere(req.to.config) ? null : `${req.to.name} is published on 127.0.0.1, which no other host reaches`;
    if (loopbackOnly(readTcpListeners(), port)) return `${req.to.name} listens on port ${port} only on 127.0.0.1`;
    return natBetween(host.info);
  };

  /** Where this machine's end is: the process's port here, or the container's published port. */
  const localEnd = (req: ResolveRequest): { host: string; port: number | undefined } => {
    if (req.to.location.kind === 'docker') {
      const view = ctx.fromHost?.(req.to.name);
      return { host: view?.address || LOOPBACK, port: view?.port };
    }
    return { host: LOOPBACK, port: declaredPorts(req.to.config.target)[0] };
  };

  const remoteToLocal: LocationResolver = {
    async prepare(req) {
      const host = deps.hostFor(req.from.config!);
      await host.connect();
      const end = localEnd(req);
      if (end.port !== undefined && tunnelToLocal(req, end.port, host)) await tunnels.remoteForward(host, { host: end.host, port: end.port });
    },
    resolve(req) {
      const host = deps.hostFor(req.from.config!);
      const end = localEnd(req);
      const why = tunnelToLocal(req, end.port, host);
      const open = end.port === undefined ? undefined : tunnels.openRemote(host.key, { host: end.host, port: end.port });
      if (open || why) {
        const reason = why ?? 'opened for this edge earlier';
        const tunnel = remoteTunnelInfo(open, host.key, { host: end.host, port: end.port ?? 0 }, reason);
        if (open) deps.noteTunnel(req.from.name, { dependency: req.to.name, kind: 'remote-forward', remotePort: open.remotePort, localHost: end.host, localPort: end.port! });
        if (why && modeOf(req.from.config) === 'auto') warn(req.from, req.to.name, `${why}: ${req.from.name} reaches it through an SSH tunnel (remote forward on ${host.key}) at ${LOOPBACK}:${open?.remotePort ?? '?'}`);
        return {
          address: LOOPBACK,
          ...(open ? { port: open.remotePort } : {}),
          note: `SSH tunnel: a remote forward on ${host.key} to ${end.host}:${end.port} here (${reason})`,
          tunnel,
        };
      }
      const address = host.info?.routeSourceAddress ?? host.info?.localAddress ?? '';
      const edge: ResolvedEdge = {
        from: req.from.name, to: req.to.name, address,
        ...(end.port !== undefined ? { port: end.port } : {}),
        note: address ? `this machine's address on its route to ${host.key}` : `this machine's address on its route to ${host.key} (known once connected)`,
      };
      if (req.to.location.kind === 'docker' && !publishedEverywhere(req.to.config)) {
        edge.warning = `${req.to.name} is published on 127.0.0.1 only, which ${req.from.name} on ${host.key} cannot reach, and ${req.from.name} has tunnel: never; publish it on 0.0.0.0 or allow tunnels`;
      } else if (end.port !== undefined && loopbackOnly(readTcpListeners(), end.port)) {
        edge.warning = `${req.to.name} listens on port ${end.port} only on 127.0.0.1, which ${req.from.name} on ${host.key} cannot reach (tunnel: never); make it listen on 0.0.0.0 or ${address || 'the LAN address'}`;
      }
      if (edge.warning) warn(req.from, req.to.name, edge.warning);
      const { from: _f, to: _t, ...rest } = edge;
      return rest;
    },
  };

  // --- this machine (a process, the host view, a container) reaches a remote service -------

  const tunnelFromHere = async (req: ResolveRequest, host: SshHost, port: number): Promise<boolean> => {
    const mode = modeOf(req.to.config);
    if (mode === 'never') return false;
    if (mode === 'always') return true;
    return loopbackOnly(await listeners.read(host), port);
  };

  const localToRemote: LocationResolver = {
    async prepare(req) {
      const port = declaredPorts(req.to.config.target)[0];
      if (port === undefined) return;
      const host = deps.hostFor(req.to.config);
      await host.connect();
      if (await tunnelFromHere(req, host, port)) await tunnels.localForward(host, { host: LOOPBACK, port });
    },
    resolve(req) {
      const t = remote(req.to.config)!;
      const port = declaredPorts(t)[0];
      const host = deps.hostFor(req.to.config);
      const open = port === undefined ? undefined : tunnels.openLocal(host.key, { host: LOOPBACK, port });
      if (open) {
        return {
          address: LOOPBACK, port: open.localPort,
          note: `SSH tunnel: a local forward here to ${LOOPBACK}:${port} on ${host.key}`,
          tunnel: localTunnelInfo(open, host.key, { host: LOOPBACK, port: port! }, modeOf(req.to.config) === 'always' ? `tunnel: always on ${req.to.name}` : `${req.to.name} listens only on 127.0.0.1 on its host`),
        };
      }
      return port === undefined ? { address: t.host, note: 'over the LAN' } : { address: t.host, port, note: 'over the LAN' };
    },
  };

  /** Edges from a container to a remote service that listens only on its host's loopback, as
   * the last prepare found them: a local forward listens on this machine's loopback, which a
   * container does not reach, so these are warned about rather than tunnelled. */
  const containerBlind = new Set<string>();
  const dockerToRemote: LocationResolver = {
    async prepare(req) {
      const host = deps.hostFor(req.to.config);
      await host.connect();
      const port = declaredPorts(req.to.config.target)[0];
      const key = `${req.from.name}|${req.to.name}`;
      if (port !== undefined && loopbackOnly(await listeners.read(host), port)) containerBlind.add(key);
      else containerBlind.delete(key);
    },
    resolve(req) {
      const t = remote(req.to.config)!;
      const port = declaredPorts(t)[0];
      const host = deps.hostFor(req.to.config);
      // A name may resolve only here (/etc/hosts): containers get the address it resolved to.
      const address = host.info?.remoteAddress ?? t.host;
      const r: Resolution = { address, ...(port !== undefined ? { port } : {}), note: `${t.host}'s address, reached from the container through Docker's NAT` };
      if (containerBlind.has(`${req.from.name}|${req.to.name}`)) {
        r.warning = `${req.to.name} listens on port ${port} only on 127.0.0.1 on ${host.key}, which ${req.from.name} in its container cannot reach (a tunnel would listen on this machine's loopback, which containers do not reach either); make it listen on 0.0.0.0 or ${address}`;
        warn(req.from, req.to.name, r.warning);
      }
      return r;
    },
  };

  // --- one remote service reaches another ---------------------------------------------------

  const sameHost = (a: SshHost, b: SshHost) =>
    a.target.host === b.target.host || (a.info !== null && b.info !== null && a.info.remoteAddress === b.info.remoteAddress);

  const remoteToRemote: LocationResolver = {
    async prepare(req) {
      const a = deps.hostFor(req.from.config!);
      const b = deps.hostFor(req.to.config);
      await Promise.all([a.connect(), b.connect()]);
      const port = declaredPorts(req.to.config.target)[0];
      if (port === undefined || sameHost(a, b) || modeOf(req.to.config) === 'never') return;
      if (!loopbackOnly(await listeners.read(b), port)) return;
      const out = await tunnels.localForward(b, { host: LOOPBACK, port });
      await tunnels.remoteForward(a, { host: LOOPBACK, port: out.localPort });
    },
    resolve(req) {
      const a = deps.hostFor(req.from.config!);
      const b = deps.hostFor(req.to.config);
      const t = remote(req.to.config)!;
      const port = declaredPorts(t)[0];
      const withPort = (r: Resolution): Resolution => (port === undefined ? r : { ...r, port });
      if (sameHost(a, b)) return withPort({ address: LOOPBACK, note: `both on ${b.target.host} (loopback)` });
      const out = port === undefined ? undefined : tunnels.openLocal(b.key, { host: LOOPBACK, port });
      const relay = out ? tunnels.openRemote(a.key, { host: LOOPBACK, port: out.localPort }) : undefined;
      if (out && relay) {
        deps.noteTunnel(req.from.name, {
          dependency: req.to.name, kind: 'relay', remotePort: relay.remotePort, localHost: LOOPBACK, localPort: out.localPort,
          via: { host: b.target.host, port: b.target.port, user: b.target.user }, targetPort: port!,
        });
        return {
          address: LOOPBACK, port: relay.remotePort,
          note: `relayed through this machine over SSH: ${a.key} -> here -> ${b.key} ${LOOPBACK}:${port}`,
          tunnel: remoteTunnelInfo(relay, a.key, { host: LOOPBACK, port: out.localPort }, `${req.to.name} listens only on 127.0.0.1 on its host`),
        };
      }
      return withPort({ address: t.host, note: `${t.host}'s address on the LAN` });
    },
  };

  return [
    { from: 'lan', to: 'local', resolver: remoteToLocal },
    { from: 'lan', to: 'docker', resolver: remoteToLocal },
    { from: 'local', to: 'lan', resolver: localToRemote },
    { from: 'docker', to: 'lan', resolver: dockerToRemote },
    { from: 'lan', to: 'lan', resolver: remoteToRemote },
  ];
}
