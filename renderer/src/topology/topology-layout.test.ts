import { describe, expect, it } from 'vitest';
import type { TopologySnapshot } from '../../../shared/network-types';
import { labelSpot, layoutTopology, TOPO_CARD } from './topology-layout';

const base: TopologySnapshot = {
  hostname: 'box',
  interfaces: [
    { name: 'lo', kind: 'loopback', addresses: ['127.0.0.1', '::1'] },
    { name: 'eth0', kind: 'ethernet', addresses: ['192.0.2.2', 'fe80::1'] },
  ],
  services: [
    { name: 'store', location: { kind: 'local' } },
    { name: 'api', location: { kind: 'local' } },
    { name: 'cache', location: { kind: 'docker', network: 'harness-demo', ip: '172.18.0.3' } },
    { name: 'probe', location: { kind: 'docker', network: 'harness-demo' } },
    { name: 'agent', location: { kind: 'lan', host: 'edge-1' } },
    { name: 'metrics', location: { kind: 'wireguard', host: '10.8.0.2', via: 'wg0' } },
  ],
  edges: [
    { from: 'api', to: 'store', address: '127.0.0.1', port: 17101 },
    { from: 'api', to: 'cache', address: '127.0.0.1', port: 17104, note: 'published port' },
    { from: 'probe', to: 'api', address: '172.18.0.1', port: 17102, warning: 'api listens on 127.0.0.1 only' },
    { from: 'agent', to: 'api', address: '127.0.0.1', port: 40001, tunnel: { kind: 'remote-forward', via: 'deploy@edge-1:22', target: { host: '127.0.0.1', port: 40001 }, state: 'active', reason: 'the host reaches this machine only through SSH' }, note: 'SSH reverse tunnel' },
    { from: 'metrics', to: 'store', address: '10.8.0.1', port: 17101 },
  ],
  dockerNetworks: [{ name: 'harness-demo', subnet: '172.18.0.0/16', gateway: '172.18.0.1' }],
  hosts: [{ key: 'deploy@edge-1:22', host: 'edge-1', port: 22, user: 'deploy', addresses: ['192.168.1.20'], seesThisMachineAs: '192.168.1.10', connection: 'lost', reason: 'ssh: connect timed out after 5 s', services: [] }],
  wireguard: {
    status: 'ok',
    detectedAt: 0,
    interfaces: [{ name: 'wg0', addresses: ['10.8.0.1/24'], source: 'wg', peers: [{ publicKey: 'k', allowedIps: ['10.8.0.2/32'], latestHandshake: 1000 }] }],
  },
};

const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) => a.x < b.x + b.width && a.x + a.width > b.x && a.y < b.y + b.height && a.y + a.height > b.y;

describe('topology layout', () => {
  it('makes a group per location with its facts in the header, and puts every service in its own', () => {
    const l = layoutTopology(base, 1060_000);
    const byId = new Map(l.groups.map((g) => [g.id, g]));
    expect([...byId.keys()].sort()).toEqual(['docker:harness-demo', 'lan:edge-1', 'local', 'wireguard:10.8.0.2']);
    expect(byId.get('local')).toMatchObject({ kind: 'local', title: 'box', lines: ['eth0 192.0.2.2 · lo 127.0.0.1'] });
    expect(byId.get('docker:harness-demo')).toMatchObject({ title: 'harness-demo', lines: ['subnet 172.18.0.0/16 · gateway 172.18.0.1'] });
    expect(byId.get('lan:edge-1')).toMatchObject({ state: 'lost', reason: 'ssh: connect timed out after 5 s', lines: ['192.168.1.20 · connection lost · sees us at 192.168.1.10'] });
    // The WireGuard peer found through the tunnel whose allowed IPs hold it.
    expect(byId.get('wireguard:10.8.0.2')?.lines).toEqual(['via wg0 · handshake 60 s ago · sees us at 10.8.0.1']);
    const where = Object.fromEntries(l.services.map((s) => [s.name, s.group]));
    expect(where).toEqual({ store: 'local', api: 'local', cache: 'docker:harness-demo', probe: 'docker:harness-demo', agent: 'lan:edge-1', metrics: 'wireguard:10.8.0.2' });
  });

  it('puts this machine on top, the other locations below it, and no two groups or cards overlap', () => {
    const l = layoutTopology(base);
    const local = l.groups.find((g) => g.id === 'local')!;
    for (const g of l.groups.filter((x) => x !== local)) expect(g.y).toBeGreaterThanOrEqual(local.y + local.height);
    for (const a of l.groups) for (const b of l.groups) if (a !== b) expect(overlaps(a, b)).toBe(false);
    const groups = new Map(l.groups.map((g) => [g.id, g]));
    const cards = l.services.map((s) => ({ x: groups.get(s.group)!.x + s.x, y: groups.get(s.group)!.y + s.y, ...TOPO_CARD }));
    for (const [i, a] of cards.entries()) {
      const g = groups.get(l.services[i].group)!;
      // Inside its group, below the header.
      expect(a.x >= g.x && a.y > g.y + 40 && a.x + a.width <= g.x + g.width && a.y + a.height <= g.y + g.height).toBe(true);
      for (const b of cards) if (a !== b) expect(overlaps(a, b)).toBe(false);
    }
  });

  it('gives every edge its resolution, marks the crossings, and keeps labels clear of the cards and of each other', () => {
    const l = layoutTopology(base);
    const e = new Map(l.edges.map((x) => [x.id, x]));
    expect([...e.keys()].sort()).toEqual(['api->agent', 'api->probe', 'cache->api', 'store->api', 'store->metrics']);
    expect(e.get('store->api')).toMatchObject({ dependency: 'store', dependent: 'api', crossing: false, resolved: { address: '127.0.0.1', port: 17101 } });
    expect(e.get('api->probe')).toMatchObject({ crossing: true, resolved: { warning: 'api listens on 127.0.0.1 only' } });
    expect(e.get('api->agent')?.resolved.tunnel?.kind).toBe('remote-forward');
    const groups = new Map(l.groups.map((g) => [g.id, g]));
    const cards = l.services.map((s) => ({ x: groups.get(s.group)!.x + s.x, y: groups.get(s.group)!.y + s.y, ...TOPO_CARD }));
    const labels = l.edges.map((x) => ({ id: x.id, box: { x: x.label.x - 60, y: x.label.y - 10, width: 120, height: 20 } }));
    for (const a of labels) {
      expect(cards.some((c) => overlaps(c, a.box)), `label of ${a.id} on a card`).toBe(false);
      for (const b of labels) if (a !== b) expect(overlaps(a.box, b.box), `labels of ${a.id} and ${b.id}`).toBe(false);
    }
  });

  it('a label moves along its line off a card in the way, and stays in the middle when nothing is', () => {
    const ends = { sourceX: 0, sourceY: 0, targetX: 1000, targetY: 0, sourcePosition: 'right', targetPosition: 'left' } as const;
    expect(labelSpot(ends as never, { width: 100, height: 20 }, [])).toEqual({ x: 500, y: 0 });
    const spot = labelSpot(ends as never, { width: 100, height: 20 }, [{ x: 400, y: -40, width: 200, height: 80 }]);
    expect(spot.x + 50 <= 400 || spot.x - 50 >= 600).toBe(true);
  });

  it('lays out 200 services with 300 edges, each in its group', () => {
    const services = Array.from({ length: 200 }, (_, i) => ({ name: `s${i}`, location: i % 5 === 0 ? ({ kind: 'docker', network: 'n' } as const) : ({ kind: 'local' } as const) }));
    const edges = Array.from({ length: 300 }, (_, i) => ({ from: `s${(i % 199) + 1}`, to: `s${Math.floor((i % 199) / 2)}`, address: '127.0.0.1', port: 1000 + i }));
    const l = layoutTopology({ interfaces: [], services, edges });
    expect(l.services).toHaveLength(200);
    expect(l.groups.map((g) => g.id).sort()).toEqual(['docker:n', 'local']);
    expect(l.edges.length).toBeGreaterThan(250);
  });
});
