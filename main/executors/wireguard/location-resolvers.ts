// How services reach each other when one end is a WireGuard peer (the table in
// docs/environment.md), plugged into the NetworkManager per (from kind, to kind):
//   local     -> wireguard : the peer's tunnel address + its port (through the tunnel); a local
//                            forward over SSH when it listens only on 127.0.0.1 there
//   docker    -> wireguard : the same address (Docker's NAT, then the tunnel)
//   lan       -> wireguard : relayed through this machine: a remote forward on the LAN host to
//                            the peer (a LAN host has no route into this machine's tunnel)
//   wireguard -> local     : this machine's tunnel address + the process's port; a process on
//                            127.0.0.1 only is *published* on the tunnel address (a listener
//                            there carrying to it)
//   wireguard -> docker    : this machine's tunnel address + a port published there for the
//                            container (Docker publishes on 127.0.0.1), or its own published
//                            port when that is on 0.0.0.0
//   wireguard -> lan       : relayed through this machine: a remote forward on the peer
//   wireguard -> wireguard : loopback on the same peer; else the other peer's tunnel address (a
//                            hub forwards between its peers), relayed over SSH when it listens
//                            only on its loopback or this machine, the hub, does not forward
// `tunnel: always` on the peer bridges its edges to this machine over SSH instead of publishing;
// `tunnel: never` uses the direct address and warns. Everything is opened in `prepare`; `resolve`
// reads what is open, so the injected address is the one that connects and the topology shows it.
import { readFileSync } from 'node:fs';
import type { ServiceConfig, TunnelMode } from '../../../shared/config-types.js';
import type { EdgeTunnel } from '../../../shared/network-types.js';
import type { ContributedResolver, ResolverContext } from '../../core/executor.js';
import { declaredPorts } from '../../network/declared-ports.js';
import type { LocationResolver, Resolution, ResolveRequest } from '../../network/location-resolver.js';
import type { TunnelMatch } from '../../os/wireguard-topology.js';
import { loopbackOnly, readTcpListeners } from '../../os/tcp-listeners.js';
import type { SshHost } from '../../ssh/index.js';
import { localTunnelInfo, remoteTunnelInfo, type RemoteListeners, type TunnelManager, type TunnelRecord } from '../remote-lan/index.js';
import type { TunnelPublisher } from './tunnel-publisher.js';

export interface WireguardResolverDeps {
  /** The pool's host of a RemoteLan or Wireguard service. */
  hostOf(config: ServiceConfig): SshHost;
  /** The tunnel that reaches a Wireguard service's host, as last detected (synchronous). */
  match(config: ServiceConfig): TunnelMatch | undefined;
  /** Detects it (prepare): throws the detector's message when no tunnel reaches the host. */
  detect(config: ServiceConfig): Promise<TunnelMatch>;
  tunnels: TunnelManager;
  listeners: RemoteListeners;
  publisher: TunnelPublisher;
  /** The dependent `from`'s environment points into this tunnel (recorded with its run). */
  noteTunnel(from: ServiceConfig, rec: TunnelRecord): void;
  /** This machine forwards IPv4 between interfaces (net.ipv4.ip_forward). */
  forwards?(): boolean;
}

const LOOPBACK = '127.0.0.1';

function modeOf(config: ServiceConfig | undefined): TunnelMode {
  const t = config?.target;
  return (t?.type === 'Wireguard' || t?.type === 'RemoteLan' ? t.tunnel : undefined) ?? 'auto';
}

function hostAddress(config: ServiceConfig): string {
  const t = config.target;
  return t.type === 'Wireguard' || t.type === 'RemoteLan' ? t.host : '';
}

/** Published on 0.0.0.0 / :: (every interface, the tunnel's included). */
function publishedEverywhere(config: ServiceConfig): boolean {
  const t = config.target;
  if (t.type !== 'Docker') return false;
  const first = t.ports[0];
  return typeof first === 'string' && /^(0\.0\.0\.0|\[::\]):/.test(first.trim());
}

function ipForwardOn(): boolean {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

export function wireguardLocationResolvers(deps: WireguardResolverDeps, ctx: ResolverContext): ContributedResolver[] {
  const { tunnels, listeners, publisher } = deps;
  const forwards = deps.forwards ?? ipForwardOn;
  const warn = (req: ResolveRequest, text: string) => {
    if (req.from.config) ctx.onWarning(req.from.name, req.to.name, text);
  };
  const via = (m: TunnelMatch | undefined) => (m ? ` (via ${m.interface})` : '');
  const withPort = (r: Resolution, port: number | undefined): Resolution => (port === undefined ? r : { ...r, port });
  const loopbackOnPeer = async (host: SshHost, port: number) => loopbackOnly(await listeners.read(host).catch(() => []), port);

  // --- this machine (a process, the host view, a container) reaches a peer ------------------

  const localToPeer: LocationResolver = {
    async prepare(req) {
      await deps.detect(req.to.config);
      const port = declaredPorts(req.to.config.target)[0];
      if (port === undefined) return;
      const host = deps.hostOf(req.to.config);
      const mode = modeOf(req.to.config);
      if (mode === 'never') return;
      await host.connect();
      if (mode === 'always' || (await loopbackOnPeer(host, port))) await tunnels.localForward(host, { host: LOOPBACK, port });
    },
    resolve(req) {
      const port = declaredPorts(req.to.config.target)[0];
      const host = deps.hostOf(req.to.config);
      const open = port === undefined ? undefined : tunnels.openLocal(host.key, { host: LOOPBACK, port });
      if (open) {
        const reason = modeOf(req.to.config) === 'always' ? `tunnel: always on ${req.to.name}` : `${req.to.name} listens only on 127.0.0.1 on its host`;
        return {
          address: LOOPBACK, port: open.localPort,
          note: `SSH tunnel: a local forward here to ${LOOPBACK}:${port} on ${host.key}`,
          tunnel: localTunnelInfo(open, host.key, { host: LOOPBACK, port: port! }, reason),
        };
      }
      return withPort({ address: hostAddress(req.to.config), note: `over the WireGuard tunnel${via(deps.match(req.to.config))}` }, port);
    },
  };

  const blind = new Set<string>();
  const dockerToPeer: LocationResolver = {
    async prepare(req) {
      await deps.detect(req.to.config);
      const port = declaredPorts(req.to.config.target)[0];
      const key = `${req.from.name}|${req.to.name}`;
      blind.delete(key);
      if (port === undefined) return;
      const host = deps.hostOf(req.to.config);
      await host.connect();
      if (await loopbackOnPeer(host, port)) blind.add(key);
    },
    resolve(req) {
      const port = declaredPorts(req.to.config.target)[0];
      const host = deps.hostOf(req.to.config);
      const address = hostAddress(req.to.config);
      const r: Resolution = withPort({ address, note: `the peer's tunnel address, reached from the container through Docker's NAT and the WireGuard tunnel${via(deps.match(req.to.config))}` }, port);
      if (blind.has(`${req.from.name}|${req.to.name}`)) {
        r.warning = `${req.to.name} listens on port ${port} only on 127.0.0.1 on ${host.key}, which ${req.from.name} in its container cannot reach; make it listen on 0.0.0.0 or ${address}`;
        warn(req, r.warning);
      }
      return r;
    },
  };

  // --- relays through this machine: a remote forward on the dependent's host ----------------

  /** Opens the relay `a` -> here -> `b`:port (a local forward to b's loopback first when the
   * service listens only there). */
  const openRelay = async (a: SshHost, b: SshHost, bAddress: string, port: number) => {
    await Promise.all([a.connect(), b.connect()]);
    if (await loopbackOnPeer(b, port)) {
      const out = await tunnels.localForward(b, { host: LOOPBACK, port });
      await tunnels.remoteForward(a, { host: LOOPBACK, port: out.localPort });
    } else {
      await tunnels.remoteForward(a, { host: bAddress, port });
    }
  };

  /** The relay as opened, or undefined. */
  const openedRelay = (req: ResolveRequest, a: SshHost, b: SshHost, bAddress: string, port: number): Resolution | undefined => {
    const out = tunnels.openLocal(b.key, { host: LOOPBACK, port });
    const far = out ? { host: LOOPBACK, port: out.localPort } : { host: bAddress, port };
    const fwd = tunnels.openRemote(a.key, far);
    if (!fwd) return undefined;
    deps.noteTunnel(req.from.config!, out
      ? { dependency: req.to.name, kind: 'relay', remotePort: fwd.remotePort, localHost: LOOPBACK, localPort: out.localPort, via: { host: b.target.host, port: b.target.port, user: b.target.user }, targetPort: port }
      : { dependency: req.to.name, kind: 'remote-forward', remotePort: fwd.remotePort, localHost: bAddress, localPort: port });
    return {
      address: LOOPBACK, port: fwd.remotePort,
      note: `relayed through this machine over SSH: ${a.key} -> here -> ${out ? `${b.key} ${LOOPBACK}:${port}` : `${bAddress}:${port}`}`,
      tunnel: remoteTunnelInfo(fwd, a.key, far, out ? `${req.to.name} listens only on 127.0.0.1 on its host` : `${a.target.host} has no route to ${bAddress}; this machine has`),
    };
  };

  const sameHost = (a: SshHost, b: SshHost) =>
    a.target.host === b.target.host || (a.info !== null && b.info !== null && a.info.remoteAddress === b.info.remoteAddress);

  /**
   * Between a LAN host and a peer (either way): loopback when both are one host, else the relay
   * over SSH that `prepare` opened (a LAN host has no route into this machine's tunnel, nor a peer
   * onto the LAN), else the direct address, which `direct` explains. `tunnelSide` is the service
   * whose `tunnel:` decides and whose tunnel is detected: the peer.
   */
  const betweenHosts = (
    tunnelSide: 'from' | 'to',
    direct: (req: ResolveRequest, a: SshHost, address: string, port: number | undefined) => { note: string; warning?: string },
  ): LocationResolver => {
    const peerOf = (req: ResolveRequest) => (tunnelSide === 'from' ? req.from.config! : req.to.config);
    return {
      async prepare(req) {
        await deps.detect(peerOf(req));
        const port = declaredPorts(req.to.config.target)[0];
        const a = deps.hostOf(req.from.config!);
        const b = deps.hostOf(req.to.config);
        if (port === undefined || modeOf(peerOf(req)) === 'never' || sameHost(a, b)) return;
        await openRelay(a, b, hostAddress(req.to.config), port);
      },
      resolve(req) {
        const port = declaredPorts(req.to.config.target)[0];
        const a = deps.hostOf(req.from.config!);
        const b = deps.hostOf(req.to.config);
        const address = hostAddress(req.to.config);
        if (sameHost(a, b)) return withPort({ address: LOOPBACK, note: `both on ${b.target.host} (loopback)` }, port);
        const relayed = port === undefined ? undefined : openedRelay(req, a, b, address, port);
        if (relayed) return relayed;
        const { note, warning } = direct(req, a, address, port);
        const r = withPort({ address, note }, port);
        if (warning) {
          r.warning = warning;
          warn(req, warning);
        }
        return r;
      },
    };
  };

  const lanToPeer = betweenHosts('to', (req, a, address, port) => ({
    note: `the peer's tunnel address (tunnel: never on ${req.to.name})`,
    ...(port !== undefined && modeOf(req.to.config) === 'never'
      ? { warning: `${req.from.name} on ${a.key} reaches ${address} only if its network routes into this machine's WireGuard tunnel (${req.to.name} has tunnel: never)` }
      : {}),
  }));

  // --- a peer reaches something on this machine ----------------------------------------------

  /** This machine's address on the peer's tunnel. */
  const tunnelAddress = (config: ServiceConfig): string => {
    const m = deps.match(config);
    const host = deps.hostOf(config);
    return m?.localAddress ?? host.info?.seenAs?.address ?? host.info?.routeSourceAddress ?? '';
  };

  /** Where this machine's end is: the process's port here, or the container's published port. */
  const localEnd = (req: ResolveRequest): { host: string; port: number | undefined } => {
    if (req.to.location.kind === 'docker') {
      const view = ctx.fromHost?.(req.to.name);
      return { host: view?.address || LOOPBACK, port: view?.port };
    }
    return { host: LOOPBACK, port: declaredPorts(req.to.config.target)[0] };
  };

  /** Why the peer cannot use the direct address (tunnel address + port), or null. */
  const unreachableDirectly = (req: ResolveRequest, port: number): string | null => {
    if (req.to.location.kind === 'docker') return publishedEverywhere(req.to.config) ? null : `${req.to.name} is published on 127.0.0.1, which no peer reaches`;
    return loopbackOnly(readTcpListeners(), port) ? `${req.to.name} listens on port ${port} only on 127.0.0.1` : null;
  };

  const peerToHere: LocationResolver = {
    async prepare(req) {
      const m = await deps.detect(req.from.config!);
      const host = deps.hostOf(req.from.config!);
      const end = localEnd(req);
      if (end.port === undefined) return;
      const mode = modeOf(req.from.config);
      if (mode === 'always') {
        await host.connect();
        await tunnels.remoteForward(host, { host: end.host, port: end.port });
        return;
      }
      if (mode === 'never' || !unreachableDirectly(req, end.port)) return;
      const address = m.localAddress ?? tunnelAddress(req.from.config!);
      if (address) await publisher.publish(address, { host: end.host, port: end.port });
    },
    resolve(req) {
      const host = deps.hostOf(req.from.config!);
      const m = deps.match(req.from.config!);
      const end = localEnd(req);
      const address = tunnelAddress(req.from.config!);
      if (end.port === undefined) return { address, note: `this machine's address on the WireGuard tunnel${via(m)}` };
      const fwd = tunnels.openRemote(host.key, { host: end.host, port: end.port });
      if (fwd && modeOf(req.from.config) === 'always') {
        deps.noteTunnel(req.from.config!, { dependency: req.to.name, kind: 'remote-forward', remotePort: fwd.remotePort, localHost: end.host, localPort: end.port });
        return {
          address: LOOPBACK, port: fwd.remotePort,
          note: `SSH tunnel: a remote forward on ${host.key} to ${end.host}:${end.port} here`,
          tunnel: remoteTunnelInfo(fwd, host.key, { host: end.host, port: end.port }, `tunnel: always on ${req.from.name}`),
        };
      }
      const why = unreachableDirectly(req, end.port);
      const pub = address ? publisher.get(address, { host: end.host, port: end.port }) : undefined;
      if (why && pub) {
        deps.noteTunnel(req.from.config!, { dependency: req.to.name, kind: 'publish', address, remotePort: pub.port, localHost: end.host, localPort: end.port });
        const tunnel: EdgeTunnel = { kind: 'publish', via: m?.interface ?? address, target: { host: end.host, port: end.port }, state: 'active', reason: why };
        return { address, port: pub.port, note: `published on this machine's WireGuard address${via(m)}: ${address}:${pub.port} carries to ${end.host}:${end.port}`, tunnel };
      }
      const r: Resolution = { address, port: end.port, note: `this machine's address on the WireGuard tunnel${via(m)}` };
      if (why) {
        r.warning = `${why}, which ${req.from.name} on ${host.key} cannot reach (tunnel: never); ${req.to.location.kind === 'docker' ? 'publish it on 0.0.0.0' : 'make it listen on 0.0.0.0'} or allow tunnels`;
        warn(req, r.warning);
      }
      return r;
    },
  };

  // --- a peer reaches a LAN host, or another peer --------------------------------------------

  const peerToLan = betweenHosts('from', (req, a, address, port) => ({
    note: `${address}'s address on the LAN (tunnel: never on ${req.from.name})`,
    ...(port !== undefined ? { warning: `${req.from.name} on ${a.key} reaches the LAN address ${address} only if its network routes there (tunnel: never)` } : {}),
  }));

  /** Both peers behind the same interface of this machine, which then carries their traffic. */
  const throughHere = (from: ServiceConfig, to: ServiceConfig) => {
    const a = deps.match(from);
    const b = deps.match(to);
    return a !== undefined && b !== undefined && a.interface === b.interface;
  };

  const relayBetweenPeers = async (req: ResolveRequest, port: number): Promise<boolean> => {
    if (modeOf(req.to.config) === 'never' || modeOf(req.from.config) === 'never') return false;
    if (modeOf(req.from.config) === 'always') return true;
    if (await loopbackOnPeer(deps.hostOf(req.to.config), port)) return true;
    return throughHere(req.from.config!, req.to.config) && !forwards();
  };

  const peerToPeer: LocationResolver = {
    async prepare(req) {
      await Promise.all([deps.detect(req.from.config!), deps.detect(req.to.config)]);
      const port = declaredPorts(req.to.config.target)[0];
      const a = deps.hostOf(req.from.config!);
      const b = deps.hostOf(req.to.config);
      if (port === undefined || sameHost(a, b)) return;
      await b.connect();
      if (await relayBetweenPeers(req, port)) await openRelay(a, b, hostAddress(req.to.config), port);
    },
    resolve(req) {
      const port = declaredPorts(req.to.config.target)[0];
      const a = deps.hostOf(req.from.config!);
      const b = deps.hostOf(req.to.config);
      if (sameHost(a, b)) return withPort({ address: LOOPBACK, note: `both on ${b.target.host} (loopback)` }, port);
      const address = hostAddress(req.to.config);
      const relayed = port === undefined ? undefined : openedRelay(req, a, b, address, port);
      if (relayed) return relayed;
      const hub = throughHere(req.from.config!, req.to.config);
      return withPort({ address, note: `the peer's tunnel address${hub ? `, through this machine (${deps.match(req.to.config)?.interface}, the peers' hub)` : ''}` }, port);
    },
  };

  return [
    { from: 'local', to: 'wireguard', resolver: localToPeer },
    { from: 'docker', to: 'wireguard', resolver: dockerToPeer },
    { from: 'lan', to: 'wireguard', resolver: lanToPeer },
    { from: 'wireguard', to: 'local', resolver: peerToHere },
    { from: 'wireguard', to: 'docker', resolver: peerToHere },
    { from: 'wireguard', to: 'lan', resolver: peerToLan },
    { from: 'wireguard', to: 'wireguard', resolver: peerToPeer },
  ];
}
