// Interfaces in the topology: WireGuard ones known from detection whatever their name, and the
// detection itself (peers, status) carried in the snapshot.
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { WireGuardTopology } from '../../shared/network-types.js';
import { classifyInterface, localInterfaces } from './local-interfaces.js';
import { NetworkManager } from './network-manager.js';

describe('local interfaces', () => {
  it('classifies by name, and as WireGuard any interface detection found', () => {
    expect(classifyInterface('lo', true)).toBe('loopback');
    expect(classifyInterface('wg0', false)).toBe('wireguard');
    expect(classifyInterface('eth0', false)).toBe('ethernet');
    expect(classifyInterface('docker0', false)).toBe('docker');
    expect(classifyInterface('office-vpn', false)).toBe('other');
    expect(classifyInterface('office-vpn', false, new Set(['office-vpn']))).toBe('wireguard');
  });

  it('marks a real interface of this machine as WireGuard when detection names it', () => {
    const name = Object.keys(networkInterfaces()).find((n) => n !== 'lo') as string;
    const wg: WireGuardTopology = { interfaces: [{ name, addresses: [], peers: [], source: 'wg' }], status: 'ok', detectedAt: 1 };
    expect(localInterfaces(wg).find((i) => i.name === name)?.kind).toBe('wireguard');
  });

  it('puts the latest detection, peers included, in the topology snapshot', () => {
    const wg: WireGuardTopology = {
      interfaces: [{ name: 'wg0', addresses: ['10.8.0.1/24'], peers: [{ publicKey: 'k', allowedIps: ['10.8.0.2/32'], latestHandshake: 5 }], source: 'wg' }],
      status: 'ok',
      detectedAt: 1,
    };
    const detector: { latest?: WireGuardTopology } = {};
    const net = new NetworkManager({ project: 'p', wireguard: () => detector.latest });
    expect(net.topology().wireguard).toBeUndefined();
    detector.latest = wg;
    expect(net.topology().wireguard).toEqual(wg);
  });
});
