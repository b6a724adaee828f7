import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../shared/errors.js';
import { service } from '../core/test-support/fixtures.js';
import { NetworkManager } from './network-manager.js';

function docker(name: string, deps: string[] = []) {
  return service(name, {
    deps,
    target: { type: 'Docker', image: 'x', env: {}, ports: ['127.0.0.1:8080:80/tcp', 9000], volumes: [] },
  });
}

describe('NetworkManager', () => {
  it('resolves local → local to loopback with the first declared port', () => {
    const net = new NetworkManager({ project: 'p' });
    net.registerService(service('db-main', { ports: [5432, 5433] }));
    net.registerService(service('cache'));
    net.registerService(service('api', { deps: ['db-main', 'cache'] }));
    expect(net.resolveServiceIp('api', 'db-main')).toMatchObject({ from: 'api', to: 'db-main', address: '127.0.0.1', port: 5432 });
    expect(net.envFor('api')).toEqual({ DB_MAIN_ADDR: '127.0.0.1', DB_MAIN_PORT: '5432', CACHE_ADDR: '127.0.0.1' });
    expect(net.envFor('cache')).toEqual({});
  });

  it('derives locations from target types', () => {
    const net = new NetworkManager({ project: 'demo' });
    expect(net.registerService(docker('web'))).toEqual({ kind: 'docker', network: 'harness-demo' });
    const lan = service('lan', { target: { type: 'RemoteLan', host: '10.0.0.5', user: 'u', binary: 'b', args: [], env: {}, ssh_port: 22, ports: [81] } });
    expect(net.registerService(lan)).toEqual({ kind: 'lan', host: '10.0.0.5' });
    const wg = service('wg', { target: { type: 'Wireguard', host: '10.9.0.2', user: 'u', package: '/p.tgz', env: {}, ssh_port: 22, ports: [] } });
    expect(net.registerService(wg)).toEqual({ kind: 'wireguard', host: '10.9.0.2' });
    expect(net.resolveFromHost('lan')).toMatchObject({ address: '10.0.0.5', port: 81 });
  });

  it('throws a HarnessError naming both services and locations for an unsupported pair', () => {
    const net = new NetworkManager({ project: 'p' });
    net.registerService(docker('db'));
    net.registerService(service('api', { deps: ['db'] }));
    let err: unknown;
    try {
      net.envFor('api');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as Error).message).toBe('api (this machine) cannot reach db (Docker network harness-p): no route between these locations is supported yet');
    // The topology still lists the edge, with the reason.
    expect(net.topology().edges).toEqual([{ from: 'api', to: 'db', address: '', warning: (err as Error).message }]);
  });

  it('lets a plugged-in resolver handle a pair and see learned locations', async () => {
    const net = new NetworkManager({ project: 'p' });
    const prepared: string[] = [];
    net.registerResolver('local', 'docker', {
      resolve: ({ to }) => ({ address: to.location.kind === 'docker' ? (to.location.ip ?? 'unknown') : '?', port: 18080 }),
      prepare: async ({ from, to }) => void prepared.push(`${from.name}->${to.name}`),
    });
    net.registerService(docker('db'));
    net.registerService(service('api', { deps: ['db'] }));
    net.updateLocation('db', { ip: '172.18.0.2' });
    await net.prepare('api');
    expect(prepared).toEqual(['api->db']);
    expect(net.envFor('api')).toEqual({ DB_ADDR: '172.18.0.2', DB_PORT: '18080' });
    expect(net.location('db')).toEqual({ kind: 'docker', network: 'harness-p', ip: '172.18.0.2' });
  });

  it('rejects an incomplete location update and unknown names', () => {
    const net = new NetworkManager({ project: 'p' });
    net.registerService(service('a'));
    expect(() => net.updateLocation('a', { kind: 'lan' })).toThrow(/a: incomplete location/);
    expect(() => net.resolveServiceIp('a', 'nope')).toThrow(/a: dependency "nope" is not a known service/);
    expect(() => net.envFor('ghost')).toThrow(/unknown service "ghost"/);
  });

  it('includes local interfaces in the topology, loopback classified', () => {
    const net = new NetworkManager({ project: 'p' });
    const topo = net.topology();
    const lo = topo.interfaces.find((i) => i.addresses.includes('127.0.0.1'));
    expect(lo?.kind).toBe('loopback');
  });

  it('snapshot() merges what contributors know, names every Docker network a service is on, and leaves out a failing or slow contributor', async () => {
    const box = { key: 'me@box:22', host: 'box', port: 22, user: 'me', connection: 'connected' as const, addresses: ['10.0.0.5'], seesThisMachineAs: '10.0.0.1', services: [] };
    const net = new NetworkManager({
      project: 'p',
      contributorTimeoutMs: 200,
      hosts: () => [box],
      contributors: [
        () => ({ dockerNetworks: [{ name: 'harness-p', subnet: '172.30.0.0/16', gateway: '172.30.0.1' }] }),
        async () => ({ dockerNetworks: [{ name: 'harness-p', subnet: '172.30.0.0/16' }] }),
        () => {
          throw new Error('engine exploded');
        },
        // Never settles: the snapshot must not wait for it.
        () => new Promise(() => undefined),
      ],
    });
    net.registerService(docker('web'));
    net.registerService(service('cache', { target: { type: 'Docker', image: 'x', env: {}, ports: [], volumes: [] } }), { kind: 'docker', network: 'other-net' });
    const snap = await net.snapshot();
    expect(snap.hostname).toBe(hostname());
    expect(snap.dockerNetworks).toEqual([{ name: 'harness-p', subnet: '172.30.0.0/16', gateway: '172.30.0.1' }, { name: 'other-net' }]);
    expect(snap.hosts).toEqual([box]);
    expect(snap.services.map((s) => s.name)).toEqual(['web', 'cache']);
  });

  it('snapshot() of a Process-only project has no Docker networks or hosts', async () => {
    const net = new NetworkManager({ project: 'p' });
    net.registerService(service('api'));
    const snap = await net.snapshot();
    expect(snap.dockerNetworks).toBeUndefined();
    expect(snap.hosts).toBeUndefined();
  });
});
