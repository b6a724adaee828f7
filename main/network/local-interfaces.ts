// This machine's network interfaces, classified for the topology view.
import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from '../../shared/network-types.js';

export function classifyInterface(name: string, internal: boolean): NetworkInterfaceInfo['kind'] {
  if (internal || name === 'lo') return 'loopback';
  if (/^(docker\d*|br-[0-9a-f]+|veth)/.test(name)) return 'docker';
  if (/^(wg|tun)/.test(name)) return 'wireguard';
  if (/^(eth|en|wl|wlan)/.test(name)) return 'ethernet';
  return 'other';
}

export function localInterfaces(): NetworkInterfaceInfo[] {
  const out: NetworkInterfaceInfo[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (!addrs || addrs.length === 0) continue;
    out.push({
      name,
      addresses: addrs.map((a) => a.address),
      kind: classifyInterface(name, addrs.some((a) => a.internal)),
    });
  }
  return out;
}
