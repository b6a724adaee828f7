// `networks:`: WireGuard tunnels declared in services.yaml, loaded with every problem located.
import { describe, expect, it } from 'vitest';
import { parseProject } from './parse-project.js';

const load = (text: string) => parseProject(text, '/p/services.yaml', {});
const errors = (text: string) => load(text).problems.filter((p) => p.severity === 'error').map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);

describe('networks:', () => {
  it('loads declared tunnels, with bare addresses kept as written', () => {
    const r = load(`services: []
networks:
  office:
    type: wireguard
    interface: wg0
    address: 10.44.0.1
    peers: [10.44.0.0/24, 10.45.0.7, "fd44::/64"]
  lab: {type: wireguard, address: "fd44::1", peers: ["fd44::2"]}
`);
    expect(r.problems).toEqual([]);
    expect(r.config?.networks).toEqual([
      { name: 'office', type: 'wireguard', interface: 'wg0', address: '10.44.0.1', peers: ['10.44.0.0/24', '10.45.0.7', 'fd44::/64'] },
      { name: 'lab', type: 'wireguard', address: 'fd44::1', peers: ['fd44::2'] },
    ]);
  });

  it('leaves the config without networks when the file has none', () => {
    expect(load('services: []\n').config).not.toHaveProperty('networks');
    expect(load('services: []\nnetworks:\n').config?.networks).toEqual([]);
  });

  it('reports each problem at its place, with what to write instead', () => {
    expect(errors(`services: []
networks:
  office:
    type: wireguard
    address: 10.44.0.1/24
    peers: [10.44.0.0/33, nonsense, 10.1.1.1/8/2]
    interfce: wg0
  9bad: {type: wireguard, address: 10.0.0.1, peers: [10.0.0.0/8]}
  vpn: {type: openvpn, address: 10.0.0.1, peers: []}
  tun: {type: wireguard, interface: "has space", address: 10.0.0.1, peers: [10.0.0.0/8]}
`)).toEqual([
      '5:14 networks.office.address: "10.44.0.1/24" is not an IP address; give this machine\'s address in the tunnel (e.g. 10.44.0.1), without a prefix length',
      '6:13 networks.office.peers[0]: "10.44.0.0/33": the prefix length must be 0-32',
      '6:27 networks.office.peers[1]: "nonsense" is not an address or a CIDR range (e.g. 10.44.0.0/24 or fd44::/64)',
      '6:37 networks.office.peers[2]: "10.1.1.1/8/2" is not an address or a CIDR range (e.g. 10.44.0.0/24 or fd44::/64)',
      '7:5 networks.office.interfce: unknown field "interfce" (did you mean "interface"?)',
      '8:3 networks.9bad: invalid network name "9bad": letters, digits, \'_\', \'.\', \'-\', starting with a letter (at most 63)',
      '9:15 networks.vpn.type: "openvpn" is not a valid network type; expected one of wireguard',
      '9:50 networks.vpn.peers: must list at least one address or range (the peers\' allowed-ips)',
      '10:37 networks.tun.interface: "has space" is not an interface name (1-15 letters, digits, \'_\', \'.\', \'-\', e.g. wg0 or utun4)',
    ]);
    expect(errors('services: []\nnetworks: [office]\n')).toEqual(['2:11 networks: expected a map of networks keyed by name, got a list']);
    expect(errors('services: []\nnetworks:\n  office: {type: wireguard}\n')).toEqual([
      '3:11 networks.office: missing required field "address"',
      '3:11 networks.office: missing required field "peers"',
    ]);
  });
});
