// This machine's WireGuard tunnels, and which one reaches a given host: the interface whose peer's
// allowed-ips hold the host's address (longest prefix, as WireGuard's own routing picks a peer).
// Sources, merged: `wg show all dump` (peers and allowed-ips; needs root), the links of this
// network namespace (`ip -j -d addr`: addresses and kind, no privileges), and tunnels declared in
// services.yaml (`networks:`) for machines where `wg` is missing or not permitted.
import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DeclaredNetwork } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import type { WireGuardInterfaceInfo, WireGuardPeerInfo, WireGuardTopology } from '../../shared/network-types.js';
import { readLinks, routeDevice, runCommand, type CommandRunner, type LinkInfo } from './ip-links.js';
import { readWgDump } from './wg-dump.js';

/** Where userspace WireGuard (wireguard-go, boringtun) keeps its control sockets. */
export const WG_SOCKET_DIR = '/var/run/wireguard';

export interface DetectOptions {
  declared?: readonly DeclaredNetwork[];
  run?: CommandRunner;
  /** The wg command (argv), default ['wg']. */
  wg?: readonly string[];
  socketDir?: string;
  now?: () => number;
}

const cidrOf = (a: { address: string; prefixLen: number }) => `${a.address}/${a.prefixLen}`;

/** A link is WireGuard when the kernel says so, or when it is a TUN device with a userspace
 * WireGuard control socket of its name (which a user without rights can still see). */
function isWireGuardLink(l: LinkInfo, socketDir: string): boolean {
  return l.kind === 'wireguard' || (l.kind === 'tun' && existsSync(join(socketDir, `${l.name}.sock`)));
}

/** A declared network as an interface with one pseudo-peer holding its ranges. */
function declaredInterface(n: DeclaredNetwork, links: LinkInfo[]): WireGuardInterfaceInfo {
  const link = n.interface ? links.find((l) => l.name === n.interface) : undefined;
  const prefix = isIP(n.address) === 6 ? 128 : 32;
  const own = link?.addresses.find((a) => a.address === n.address);
  return {
    name: n.interface ?? `(${n.name})`,
    addresses: [own ? cidrOf(own) : `${n.address}/${prefix}`],
    peers: [{ publicKey: '', allowedIps: n.peers.map((p) => (p.includes('/') ? p : `${p}/${isIP(p) === 6 ? 128 : 32}`)) }],
    source: 'declared',
    network: n.name,
  };
}

/** Detects the tunnels of this network namespace. Never throws for a missing or refused `wg`:
 * the status says so, and declared networks and the link list still count. */
export async function detectWireGuard(opts: DetectOptions = {}): Promise<WireGuardTopology> {
  const run = opts.run ?? runCommand;
  const socketDir = opts.socketDir ?? WG_SOCKET_DIR;
  const [links, dump] = await Promise.all([readLinks(run).catch(() => [] as LinkInfo[]), readWgDump(run, opts.wg ?? ['wg'])]);
  const here = new Map(links.map((l) => [l.name, l]));
  const interfaces: WireGuardInterfaceInfo[] = [];
  const otherNamespaces: string[] = [];
  for (const i of dump.interfaces) {
    const link = here.get(i.name);
    if (!link) {
      otherNamespaces.push(i.name);
      continue;
    }
    interfaces.push({ ...i, addresses: link.addresses.map(cidrOf) });
  }
  for (const l of links) {
    if (!interfaces.some((i) => i.name === l.name) && isWireGuardLink(l, socketDir)) {
      interfaces.push({ name: l.name, addresses: l.addresses.map(cidrOf), peers: [], source: 'link' });
    }
  }
  for (const n of opts.declared ?? []) interfaces.push(declaredInterface(n, links));
  return {
    interfaces,
    status: dump.status,
    ...(dump.reason ? { reason: dump.reason } : {}),
    ...(otherNamespaces.length ? { otherNamespaces } : {}),
    detectedAt: (opts.now ?? Date.now)(),
  };
}

function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address, len] = cidr.split('/');
  const v = isIP(address);
  if (v === 0) return null;
  const prefix = len === undefined ? (v === 4 ? 32 : 128) : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (v === 4 ? 32 : 128)) return null;
  return { address, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

export function cidrContains(cidr: string, address: string): boolean {
  const c = parseCidr(cidr);
  const v = isIP(address);
  if (!c || v === 0 || (v === 4) !== (c.family === 'ipv4')) return false;
  const b = new BlockList();
  b.addSubnet(c.address, c.prefix, c.family);
  return b.check(address, c.family);
}

export interface TunnelMatch {
  /** The interface name: the service's `via`. */
  interface: string;
  /** The address looked up (the host itself, or what its name resolved to). */
  address: string;
  /** This machine's address on the interface, in the host's family: what the peer reaches this
   * machine at. Absent when the interface has none (then nothing on the peer can reach here). */
  localAddress?: string;
  /** The allowed-ips entry (or declared range) that holds the address. */
  matched?: string;
  peer?: WireGuardPeerInfo;
  /** How the interface was found. */
  by: 'allowed-ips' | 'declared' | 'route';
  network?: string;
}

function localAddressFor(iface: WireGuardInterfaceInfo, address: string): string | undefined {
  const family = isIP(address);
  const same = iface.addresses.filter((a) => isIP(a.split('/')[0]) === family && !a.startsWith('fe80:'));
  return (same.find((a) => cidrContains(a, address)) ?? same[0])?.split('/')[0];
}

/** The tunnel whose peer's allowed-ips hold `address` (an IP), longest prefix first; a declared
 * network wins a tie. null when none does. */
export function findTunnel(topology: WireGuardTopology, address: string): TunnelMatch | null {
  let best: { iface: WireGuardInterfaceInfo; peer: WireGuardPeerInfo; cidr: string; prefix: number } | null = null;
  for (const iface of topology.interfaces) {
    for (const peer of iface.peers) {
      for (const cidr of peer.allowedIps) {
        if (!cidrContains(cidr, address)) continue;
        const prefix = parseCidr(cidr)?.prefix ?? 0;
        const better = !best || prefix > best.prefix || (prefix === best.prefix && iface.source === 'declared' && best.iface.source !== 'declared');
        if (better) best = { iface, peer, cidr, prefix };
      }
    }
  }
  if (!best) return null;
  const local = localAddressFor(best.iface, address);
  const declared = best.iface.source === 'declared';
  return {
    interface: best.iface.name,
    address,
    ...(local ? { localAddress: local } : {}),
    matched: best.cidr,
    ...(declared ? {} : { peer: best.peer }),
    by: declared ? 'declared' : 'allowed-ips',
    ...(best.iface.network ? { network: best.iface.network } : {}),
  };
}

function describeLooked(topology: WireGuardTopology): string {
  const parts = topology.interfaces.map((i) => {
    const ranges = i.peers.flatMap((p) => p.allowedIps);
    const what = i.source === 'link' ? 'peers unknown' : ranges.length ? `allowed-ips ${ranges.join(', ')}` : 'no peers';
    return `${i.name}${i.network ? ` (networks.${i.network})` : ''} (${what})`;
  });
  const looked = parts.length ? `looked at ${parts.join('; ')}` : 'this machine has no WireGuard interface';
  const others = topology.otherNamespaces?.length ? `; left out ${topology.otherNamespaces.join(', ')} (in another network namespace)` : '';
  const wg = topology.status === 'ok' ? '' : `; \`wg show\` gave no peers: ${topology.reason ?? topology.status}`;
  return `${looked}${others}${wg}`;
}

export interface TunnelLookupOptions {
  run?: CommandRunner;
  /** Resolves a host name to addresses (default: the system resolver). */
  resolve?: (host: string) => Promise<string[]>;
}

/**
 * The tunnel that reaches `host` (an address or a name). When `wg` could not list peers, a route
 * lookup that picks a WireGuard interface counts too. Throws a HarnessError (UNAVAILABLE) naming
 * the host and every interface looked at, and what to do.
 */
export async function tunnelForHost(topology: WireGuardTopology, host: string, opts: TunnelLookupOptions = {}): Promise<TunnelMatch> {
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    const resolve = opts.resolve ?? (async (h: string) => (await lookup(h, { all: true })).map((a) => a.address));
    try {
      addresses = await resolve(host);
    } catch (err) {
      throw new HarnessError('UNAVAILABLE', `WireGuard host ${host}: the name does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); use the peer's tunnel address`, { host });
    }
  }
  for (const a of addresses) {
    const m = findTunnel(topology, a);
    if (m) return m;
  }
  // Without peer lists, the routing table still says which interface carries the address.
  const byLink = topology.interfaces.filter((i) => i.source === 'link');
  if (byLink.length > 0) {
    for (const a of addresses) {
      const dev = await routeDevice(a, opts.run ?? runCommand);
      const iface = dev ? byLink.find((i) => i.name === dev) : undefined;
      if (iface) {
        const local = localAddressFor(iface, a);
        return { interface: iface.name, address: a, ...(local ? { localAddress: local } : {}), by: 'route' };
      }
    }
  }
  const shown = addresses.length === 1 && addresses[0] === host ? host : `${host} (${addresses.join(', ')})`;
  throw new HarnessError(
    'UNAVAILABLE',
    `WireGuard host ${shown}: no WireGuard tunnel of this machine reaches it: ${describeLooked(topology)}. ` +
      'Bring the tunnel up (wg-quick up …), check that a peer\'s AllowedIPs hold this address, or declare the tunnel under `networks:` in services.yaml (docs/wireguard.md)',
    { host, addresses, interfaces: topology.interfaces.map((i) => i.name), status: topology.status },
  );
}

/** Detection with a short cache, for callers that ask per service (every start, the topology
 * view): `last()` answers synchronously with the latest result. */
export class WireGuardDetector {
  private cached: WireGuardTopology | undefined;
  private pending: Promise<WireGuardTopology> | null = null;

  constructor(private readonly opts: DetectOptions & { ttlMs?: number } = {}) {}

  last(): WireGuardTopology | undefined {
    return this.cached;
  }

  async detect(force = false): Promise<WireGuardTopology> {
    const now = (this.opts.now ?? Date.now)();
    if (!force && this.cached && now - this.cached.detectedAt < (this.opts.ttlMs ?? 5000)) return this.cached;
    this.pending ??= detectWireGuard(this.opts).finally(() => {
      this.pending = null;
    });
    this.cached = await this.pending;
    return this.cached;
  }

  async tunnelFor(host: string, opts: TunnelLookupOptions = {}): Promise<TunnelMatch> {
    return tunnelForHost(await this.detect(), host, { run: this.opts.run, ...opts });
  }
}
