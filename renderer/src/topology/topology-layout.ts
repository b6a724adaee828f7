// The topology view's layout, from the core's TopologySnapshot: one group per location (this
// machine, each Docker network, each LAN host and WireGuard peer), every service in its location's
// group, laid out by dependency depth inside it (dependencies to the left, as in the graph view);
// this machine on top, the other groups in rows below it. Edges are straight lines between the
// cards' facing sides, each label on its line where no card hides it. Pure and
// synchronous (O(services + edges)), so 200 services lay out within a frame; unit-tested.
import { edgeId } from '../../../shared/graph/graph-model';
import type { DockerNetworkInfo, NetworkInterfaceInfo, RemoteHostInfo, ResolvedEdge, ServiceLocation, TopologySnapshot, WireGuardPeerInfo } from '../../../shared/network-types';
import type { ConnectionState } from '../../../shared/service-state';
import { dependencyDepths, layeredLayout } from '../graph/layout/layered-layout';
import { facingSides, type Box, type EdgeEnds } from './edges/floating';

export const TOPO_CARD = { width: 220, height: 78 };
const PAD = 18;
/** A group's header (kind, title, facts) above its cards. */
export const TOPO_HEADER = 62;
const HEADER = TOPO_HEADER;
const GROUP_GAP = 90;
const GAP_X = 150; // room for an address label between columns
const GAP_Y = 26;
/** Groups below this machine: between dependency levels (room for a label) and side by side. */
const GAP_LEVEL = 64;
const GAP_SIDE = 40;
/** Groups wrap into a new row past this width (or the widest group, if wider). */
const ROW_WIDTH = 2600;

export type GroupKind = 'local' | 'docker' | 'lan' | 'wireguard';

export interface LocationGroup {
  id: string;
  kind: GroupKind;
  /** The machine's name, the network's, the host's (the kind is said above it). */
  title: string;
  /** Header lines under the title (addresses, subnet, state). */
  lines: string[];
  /** Everything, for the tooltip (lines are shortened). */
  detail: string;
  state?: ConnectionState;
  /** Why the host is not reachable, or the network's facts are unknown. */
  reason?: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedService {
  name: string;
  group: string;
  location: ServiceLocation;
  /** Relative to its group. */
  x: number;
  y: number;
}

export interface TopologyEdge {
  /** The graph's edge id (`dependency->dependent`). */
  id: string;
  dependency: string;
  dependent: string;
  resolved: ResolvedEdge;
  /** Between two groups (crosses a network boundary). */
  crossing: boolean;
  /** A straight line between the cards' facing sides (flow coordinates), from the dependency. */
  ends: EdgeEnds;
  /** Where its label goes: on the line, clear of every card where the line allows. */
  label: { x: number; y: number };
}

export interface TopologyLayout {
  groups: LocationGroup[];
  services: PlacedService[];
  edges: TopologyEdge[];
}

/** The label's box, estimated from its text (monospace 11 px: about 6.7 px a character). */
function labelSize(text: string, e: ResolvedEdge): { width: number; height: number } {
  const extra = (e.warning ? 2 : 0) + (e.tunnel ? 7 : 0);
  // A warning's label has a second line with the reason (at most 280 px wide, see app.css).
  return { width: Math.max((text.length + extra) * 6.7 + 16, e.warning ? 280 : 0), height: e.warning ? 36 : 20 };
}

const SPOTS = [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.12, 0.88];

/** The first point along the line (from its middle outwards) where a label of `size` covers
 * none of `obstacles` (cards, labels placed before it); the middle when there is none. */
export function labelSpot(ends: EdgeEnds, size: { width: number; height: number }, obstacles: readonly Box[]): { x: number; y: number } {
  const at = (t: number) => ({ x: ends.sourceX + (ends.targetX - ends.sourceX) * t, y: ends.sourceY + (ends.targetY - ends.sourceY) * t });
  for (const t of SPOTS) {
    const p = at(t);
    const l = p.x - size.width / 2;
    const r = p.x + size.width / 2;
    const top = p.y - size.height / 2;
    const bottom = p.y + size.height / 2;
    if (!obstacles.some((c) => l < c.x + c.width && r > c.x && top < c.y + c.height && bottom > c.y)) return p;
  }
  return at(0.5);
}

function transpose(pos: Map<string, { x: number; y: number }>): Map<string, { x: number; y: number }> {
  return new Map([...pos].map(([id, p]) => [id, { x: p.y, y: p.x }]));
}

export function groupIdOf(l: ServiceLocation): string {
  switch (l.kind) {
    case 'local':
      return 'local';
    case 'docker':
      return `docker:${l.network}`;
    case 'lan':
      return `lan:${l.host}`;
    case 'wireguard':
      return `wireguard:${l.host}`;
  }
}

const STATE_WORDS: Record<ConnectionState, string> = { idle: 'not connected yet', connecting: 'connecting…', connected: 'connected', lost: 'connection lost', reconnecting: 'reconnecting…', closed: 'closed' };

function localLines(interfaces: NetworkInterfaceInfo[]): { lines: string[]; detail: string } {
  // IPv6 link-local addresses say little and take the room.
  const shown = interfaces.map((i) => ({ ...i, addresses: i.addresses.filter((a) => !/^fe80:/i.test(a)) })).filter((i) => i.addresses.length > 0);
  // Loopback before the bridges: local edges use it; each Docker network's gateway is in its own group.
  const order = { ethernet: 0, wireguard: 1, loopback: 2, docker: 3, other: 4 } as const;
  shown.sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
  const all = shown.map((i) => `${i.name} ${i.addresses.join(', ')}`);
  const brief = shown.slice(0, 4).map((i) => `${i.name} ${i.addresses[0]}`);
  const more = shown.length - brief.length;
  return { lines: [brief.join(' · ') + (more > 0 ? ` · +${more} more` : '')].filter((l) => l.trim() !== ''), detail: all.join('\n') };
}

function dockerLines(n: DockerNetworkInfo): string[] {
  if (n.subnet || n.gateway) return [[n.subnet ? `subnet ${n.subnet}` : null, n.gateway ? `gateway ${n.gateway}` : null].filter(Boolean).join(' · ')];
  return [];
}

/** The WireGuard peer whose allowed IPs hold `host` (an IPv4 address), if detection found one. */
function peerFor(host: string, topo: TopologySnapshot): { peer: WireGuardPeerInfo; via: string; ours: string[] } | null {
  const ip = ipv4(host);
  if (ip === null) return null;
  for (const itf of topo.wireguard?.interfaces ?? []) {
    for (const peer of itf.peers) {
      if (peer.allowedIps.some((cidr) => inCidr(ip, cidr))) return { peer, via: itf.name, ours: itf.addresses.map((a) => a.split('/')[0]) };
    }
  }
  return null;
}

function ipv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function inCidr(ip: number, cidr: string): boolean {
  const [base, bits = '32'] = cidr.split('/');
  const b = ipv4(base);
  const n = Number(bits);
  if (b === null || !Number.isInteger(n) || n < 0 || n > 32) return false;
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (ip & mask) === (b & mask);
}

function ago(epochSeconds: number, now: number): string {
  const s = Math.max(0, Math.round(now / 1000 - epochSeconds));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

function hostGroup(kind: 'lan' | 'wireguard', host: string, info: RemoteHostInfo | undefined, topo: TopologySnapshot, now: number): Omit<LocationGroup, 'x' | 'y' | 'width' | 'height'> {
  const facts: string[] = [];
  const addresses = info?.addresses.filter((a) => a !== host) ?? [];
  if (addresses.length > 0) facts.push(addresses.join(', '));
  // The connection's state early: the header line is cut to the group's width.
  if (info) facts.push(STATE_WORDS[info.connection]);
  if (kind === 'wireguard') {
    const found = peerFor(host, topo);
    if (found) {
      facts.push(`via ${found.via}`);
      facts.push(found.peer.latestHandshake ? `handshake ${ago(found.peer.latestHandshake, now)}` : 'no handshake yet');
      if (!info?.seesThisMachineAs && found.ours[0]) facts.push(`sees us at ${found.ours[0]}`);
    }
  }
  if (info?.seesThisMachineAs) facts.push(`sees us at ${info.seesThisMachineAs}`);
  const lines = [facts.join(' · ')].filter((l) => l !== '');
  return {
    id: `${kind}:${host}`,
    kind,
    title: host,
    lines,
    detail: [`${kind === 'lan' ? 'LAN host' : 'WireGuard peer'} ${host}`, ...facts, info?.reason ?? ''].filter(Boolean).join('\n'),
    ...(info ? { state: info.connection } : {}),
    ...(info?.reason ? { reason: info.reason } : {}),
  };
}

export function layoutTopology(topo: TopologySnapshot, now = Date.now()): TopologyLayout {
  // Groups: this machine first, then every Docker network and remote host that is known or that
  // a service is located on.
  const groups = new Map<string, Omit<LocationGroup, 'x' | 'y' | 'width' | 'height'>>();
  const local = localLines(topo.interfaces);
  groups.set('local', { id: 'local', kind: 'local', title: topo.hostname ?? 'localhost', lines: local.lines, detail: `This machine (${topo.hostname ?? 'localhost'})\n${local.detail}` });
  const networks = new Map((topo.dockerNetworks ?? []).map((n) => [n.name, n]));
  // A host's kind is that of the services located on it (a LAN host or a WireGuard peer).
  const kindOf = new Map<string, 'lan' | 'wireguard'>();
  for (const s of topo.services) if (s.location.kind === 'lan' || s.location.kind === 'wireguard') kindOf.set(s.location.host, s.location.kind);
  const hosts = new Map((topo.hosts ?? []).map((h) => {
    const kind = kindOf.get(h.host) ?? 'lan';
    return [`${kind}:${h.host}`, { kind, info: h }] as const;
  }));
  const addDocker = (name: string) => {
    const n = networks.get(name) ?? { name };
    groups.set(`docker:${name}`, { id: `docker:${name}`, kind: 'docker', title: name, lines: dockerLines(n), detail: [`Docker network ${name}`, ...dockerLines(n), n.reason ?? ''].filter(Boolean).join('\n'), ...(n.reason ? { reason: n.reason } : {}) });
  };
  for (const n of networks.keys()) addDocker(n);
  for (const [id, h] of hosts) groups.set(id, hostGroup(h.kind, h.info.host, h.info, topo, now));
  for (const s of topo.services) {
    const id = groupIdOf(s.location);
    if (groups.has(id)) continue;
    if (s.location.kind === 'docker') addDocker(s.location.network);
    else if (s.location.kind === 'lan' || s.location.kind === 'wireguard') groups.set(id, hostGroup(s.location.kind, s.location.host, undefined, topo, now));
  }
  // Hosts without services are still drawn only when the core listed them; networks alike.

  const names = topo.services.map((s) => s.name);
  const deps = new Map<string, string[]>();
  for (const e of topo.edges) (deps.get(e.from) ?? deps.set(e.from, []).get(e.from)!).push(e.to);
  const depth = dependencyDepths(names, deps);
  const members = new Map<string, typeof topo.services>();
  for (const s of topo.services) (members.get(groupIdOf(s.location)) ?? members.set(groupIdOf(s.location), []).get(groupIdOf(s.location))!).push(s);

  // Inside a group: the layered layout of its own services (its dependencies on other groups
  // add no depth here).
  const placed: PlacedService[] = [];
  const sized = [...groups.values()].map((g) => {
    const list = members.get(g.id) ?? [];
    const ids = list.map((s) => s.name);
    // This machine flows left to right; the groups below it top to bottom (their cards side by
    // side, so the edges that rise to this machine do not run through their neighbours).
    const pos =
      g.kind === 'local'
        ? layeredLayout(ids, deps, { nodeWidth: TOPO_CARD.width, nodeHeight: TOPO_CARD.height, gapX: GAP_X, gapY: GAP_Y })
        : transpose(layeredLayout(ids, deps, { nodeWidth: TOPO_CARD.height, nodeHeight: TOPO_CARD.width, gapX: GAP_LEVEL, gapY: GAP_SIDE }));
    let w = 0;
    let h = 0;
    for (const s of list) {
      const p = pos.get(s.name)!;
      w = Math.max(w, p.x + TOPO_CARD.width);
      h = Math.max(h, p.y + TOPO_CARD.height);
      placed.push({ name: s.name, group: g.id, location: s.location, x: PAD + p.x, y: HEADER + p.y });
    }
    const meanDepth = list.length ? list.reduce((a, s) => a + (depth.get(s.name) ?? 0), 0) / list.length : Infinity;
    // Wide enough for the header; an empty group still shows its header and a short body.
    const width = Math.max(PAD * 2 + w, 360);
    const height = HEADER + Math.max(h, list.length ? 0 : 24) + PAD;
    return { g, width, height, meanDepth, empty: list.length === 0 };
  });
  // This machine first; then groups whose services others depend on (left), empty groups last.
  const rank = (k: GroupKind) => ({ local: 0, docker: 1, lan: 2, wireguard: 3 })[k];
  sized.sort((a, b) => Number(b.g.kind === 'local') - Number(a.g.kind === 'local') || Number(a.empty) - Number(b.empty) || a.meanDepth - b.meanDepth || rank(a.g.kind) - rank(b.g.kind) || a.g.id.localeCompare(b.g.id));

  // This machine gets the first row to itself; the other locations go in rows below it (their
  // edges to and from this machine then run up and down, not across its cards), each row
  // centred under the widest.
  const rows: Array<typeof sized> = [];
  const rowWidth = Math.max(ROW_WIDTH, ...sized.map((s) => s.width));
  for (const s of sized) {
    const row = rows[rows.length - 1];
    const used = row ? row.reduce((a, r) => a + r.width + GROUP_GAP, 0) : 0;
    if (!row || (row.length > 0 && (row[0].g.kind === 'local' || used + s.width > rowWidth))) rows.push([s]);
    else row.push(s);
  }
  const widths = rows.map((row) => row.reduce((a, r) => a + r.width, 0) + GROUP_GAP * (row.length - 1));
  const widest = Math.max(...widths);
  const out: LocationGroup[] = [];
  let y = 0;
  rows.forEach((row, i) => {
    let x = (widest - widths[i]) / 2;
    for (const s of row) {
      out.push({ ...s.g, x: Math.round(x), y, width: s.width, height: s.height });
      x += s.width + GROUP_GAP;
    }
    y += Math.max(...row.map((r) => r.height)) + GROUP_GAP;
  });

  const groupAt = new Map(out.map((g) => [g.id, g]));
  const boxes = new Map<string, Box>();
  for (const p of placed) {
    const g = groupAt.get(p.group)!;
    boxes.set(p.name, { x: g.x + p.x, y: g.y + p.y, width: TOPO_CARD.width, height: TOPO_CARD.height });
  }
  // Labels avoid the cards and each other: warnings (the larger, and the ones that matter) first.
  const obstacles: Box[] = [...boxes.values()];
  const groupOf = new Map(placed.map((p) => [p.name, p.group]));
  const edges: TopologyEdge[] = [];
  const ordered = [...topo.edges].sort((a, b) => Number(Boolean(b.warning)) - Number(Boolean(a.warning)));
  for (const e of ordered) {
    const a = boxes.get(e.to);
    const b = boxes.get(e.from);
    if (!a || !b) continue;
    const ends = facingSides(a, b);
    const text = e.address ? `${e.address}${e.port !== undefined ? `:${e.port}` : ''}` : 'no route';
    const size = labelSize(text, e);
    const label = labelSpot(ends, size, obstacles);
    obstacles.push({ x: label.x - size.width / 2, y: label.y - size.height / 2, width: size.width, height: size.height });
    edges.push({ id: edgeId(e.to, e.from), dependency: e.to, dependent: e.from, resolved: e, crossing: groupOf.get(e.to) !== groupOf.get(e.from), ends, label });
  }
  return { groups: out, services: placed, edges };
}
