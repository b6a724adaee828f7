// This machine's network interfaces, classified for the topology view. WireGuard interfaces are
// known by name from detection (main/os/wireguard-topology.ts) when it ran: a userspace tunnel is
// a plain TUN device, and wg-quick lets an interface be called anything.
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo, WireGuardTopology } from '../../shared/network-types.js';

export function classifyInterface(name: string, internal: boolean, wireguard?: ReadonlySet<string>): NetworkInterfaceInfo['kind'] {
  if (internal || name === 'lo') return 'loopback';
  if (wireguard?.has(name)) return 'wireguard';
  if (/^(docker\d*|br-[0-9a-f]+|veth)/.test(name)) return 'docker';
  if (/^(wg|tun)/.test(name)) return 'wireguard';
  if (/^(eth|en|wl|wlan)/.test(name)) return 'ethernet';
  return 'other';
}

export function localInterfaces(wireguard?: WireGuardTopology): NetworkInterfaceInfo[] {
  const tunnels = new Set((wireguard?.interfaces ?? []).map((i) => i.name));
  const out: NetworkInterfaceInfo[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (!addrs || addrs.length === 0) continue;
    out.push({
      name,
      addresses: addrs.map((a) => a.address),
      kind: classifyInterface(name, addrs.some((a) => a.internal), tunnels),
    });
  }
  return out;
}
