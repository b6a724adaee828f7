// `networks:` at the top level: WireGuard tunnels declared by hand, for machines where Harness
// cannot read them (`wg` missing, or not permitted without root, as with a GUI client). A map
// keyed by name; each entry says this machine's tunnel address and the ranges behind the tunnel.
import { isIP } from 'node:net';
import type { DeclaredNetwork } from '../../shared/config-types.js';
import { FIELDS } from './fields.js';
import { Readers, value } from './readers.js';
import type { YNode } from './yaml-tree.js';

const NETWORK_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;
// Linux allows 15 bytes; macOS utunN and Windows adapter names fit the same characters.
const INTERFACE_NAME = /^[A-Za-z0-9_.=+-]{1,15}$/;
export const NETWORK_TYPES = ['wireguard'] as const;

/** An address or CIDR range, or the reason it is not one. */
export function checkRange(v: string): string | null {
  const [address, len, extra] = v.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return `"${v}" is not an address or a CIDR range (e.g. 10.44.0.0/24 or fd44::/64)`;
  if (len === undefined) return null;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(len) || Number(len) > max) return `"${v}": the prefix length must be 0-${max}`;
  return null;
}

export function normaliseNetworks(n: YNode, r: Readers): DeclaredNetwork[] | undefined {
  if (n.kind === 'scalar' && n.value === null) return [];
  const m = r.map(n, 'a map of networks keyed by name');
  if (!m) return undefined;
  const out: DeclaredNetwork[] = [];
  let ok = true;
  for (const e of m.entries) {
    if (!NETWORK_NAME.test(e.key)) {
      r.problems.error(e.keyPos, e.value.path, `invalid network name "${e.key}": letters, digits, '_', '.', '-', starting with a letter (at most 63)`);
      ok = false;
      continue;
    }
    const net = normaliseNetwork(e.key, e.value, r);
    if (net) out.push(net);
    else ok = false;
  }
  return ok ? out : undefined;
}

function normaliseNetwork(name: string, n: YNode, r: Readers): DeclaredNetwork | undefined {
  const m = r.map(n, 'a map with type, address and peers');
  if (!m) return undefined;
  r.keys(m, FIELDS.network);
  const typeNode = value(m, 'type');
  const type = typeNode ? r.oneOf(typeNode, NETWORK_TYPES, 'network type') : undefined;
  const addrNode = value(m, 'address');
  let address = addrNode ? r.string(addrNode) : undefined;
  if (addrNode && address !== undefined && isIP(address) === 0) {
    r.problems.error(addrNode.pos, addrNode.path, `"${address}" is not an IP address; give this machine's address in the tunnel (e.g. 10.44.0.1), without a prefix length`);
    address = undefined;
  }
  const ifNode = value(m, 'interface');
  let iface = ifNode ? r.string(ifNode) : undefined;
  if (ifNode && iface !== undefined && !INTERFACE_NAME.test(iface)) {
    r.problems.error(ifNode.pos, ifNode.path, `"${iface}" is not an interface name (1-15 letters, digits, '_', '.', '-', e.g. wg0 or utun4)`);
    iface = undefined;
  }
  const peersNode = value(m, 'peers');
  let peers: string[] | undefined;
  if (peersNode) {
    const s = r.seq(peersNode, 'a list of addresses or CIDR ranges reached through the tunnel');
    if (s) {
      peers = [];
      if (s.items.length === 0) r.problems.error(s.pos, s.path, 'must list at least one address or range (the peers\' allowed-ips)');
      for (const it of s.items) {
        const v = r.string(it);
        if (v === undefined) {
          peers = undefined;
          continue;
        }
        const bad = checkRange(v.trim());
        if (bad) {
          r.problems.error(it.pos, it.path, bad);
          peers = undefined;
        } else peers?.push(v.trim());
      }
      if (peers?.length === 0) peers = undefined;
    }
  }
  if (!type || address === undefined || !peers || (ifNode && iface === undefined)) return undefined;
  return { name, type, ...(iface ? { interface: iface } : {}), address, peers };
}
