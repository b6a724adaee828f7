// The tunnel decisions of the cross-host resolvers that the real-connection matrix cannot reach
// on test hosts: NAT between a host and this machine, `tunnel: always` and `tunnel: never`, and
// an edge planned before anything is open (the topology before a start). Stub hosts, no network.
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig, TunnelMode } from '../../../shared/config-types.js';
import { service } from '../../core/test-support/fixtures.js';
import type { HostInfo, RemoteForward, SshHost } from '../../ssh/index.js';
import { NetworkManager } from '../../network/network-manager.js';
import { remoteLocationResolvers } from './location-resolvers.js';
import { RemoteListeners } from './remote-listeners.js';
import { TunnelManager } from './tunnel-manager.js';

function remote(name: string, opts: { deps?: string[]; tunnel?: TunnelMode; ports?: number[] } = {}): ServiceConfig {
  return service(name, {
    deps: opts.deps,
    target: { type: 'RemoteLan', host: 'lab', user: 'pi', binary: '/srv', args: [], env: {}, ssh_port: 22, ports: opts.ports ?? [], ...(opts.tunnel ? { tunnel: opts.tunnel } : {}) },
  });
}

function stubHost(info: Partial<HostInfo>): SshHost & { forwards: number } {
  const host = {
    key: 'pi@lab:22',
    target: { host: 'lab', port: 22, user: 'pi' },
    info: { key: 'pi@lab:22', remoteAddress: '10.0.0.5', localAddress: '192.168.1.2', routeSourceAddress: '192.168.1.2', seenAs: { address: '192.168.1.2', port: 50000 }, ...info },
    forwards: 0,
    connect: async () => host.info,
    forwardIn: async (): Promise<RemoteForward> => {
      host.forwards++;
      return { remoteHost: '127.0.0.1', remotePort: 41000 + host.forwards, state: 'active', error: null, carried: 0, onState: () => () => undefined, close: async () => undefined };
    },
  };
  return host as unknown as SshHost & { forwards: number };
}

describe('cross-host resolvers: tunnel decisions', () => {
  let server: Server;
  let loopPort = 0;
  let openPort = 0;
  const warnings: string[] = [];

  beforeAll(async () => {
    // One process here listening only on loopback, another on every address.
    server = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    loopPort = (server.address() as AddressInfo).port;
    const all = createServer().listen(0, '0.0.0.0');
    await new Promise((r) => all.once('listening', r));
    openPort = (all.address() as AddressInfo).port;
    server.on('close', () => all.close());
  });
  afterAll(() => { server.close(); });

  function network(host: SshHost) {
    const net = new NetworkManager({
      project: 'p',
      resolvers: remoteLocationResolvers({ hostFor: () => host, tunnels: new TunnelManager(), listeners: new RemoteListeners(), noteTunnel: () => undefined }, {
        onWarning: (_f, _t, w) => warnings.push(w),
      }),
    });
    return net;
  }

  it('tunnels when the host sees this machine at another address (NAT), though the process listens everywhere', async () => {
    const host = stubHost({ seenAs: { address: '203.0.113.9', port: 40000 } });
    const net = network(host);
    net.registerService(service('db', { ports: [openPort] }));
    net.registerService(remote('app', { deps: ['db'] }));
    expect(net.resolveServiceIp('app', 'db').tunnel).toMatchObject({ kind: 'remote-forward', state: 'planned', reason: expect.stringContaining('203.0.113.9') });
    await net.prepare('app');
    expect(net.envFor('app')).toEqual({ DB_ADDR: '127.0.0.1', DB_PORT: '41001' });
    expect(net.resolveServiceIp('app', 'db').tunnel?.state).toBe('active');
  });

  it('goes direct without NAT, at this machine\'s route address', async () => {
    const host = stubHost({});
    const net = network(host);
    net.registerService(service('db', { ports: [openPort] }));
    net.registerService(remote('app', { deps: ['db'] }));
    await net.prepare('app');
    expect(net.envFor('app')).toEqual({ DB_ADDR: '192.168.1.2', DB_PORT: String(openPort) });
    expect(host.forwards).toBe(0);
  });

  it('tunnel: always tunnels a direct edge; tunnel: never keeps a loopback-only edge direct, with a warning', async () => {
    const always = stubHost({});
    const a = network(always);
    a.registerService(service('db', { ports: [openPort] }));
    a.registerService(remote('app', { deps: ['db'], tunnel: 'always' }));
    await a.prepare('app');
    expect(a.envFor('app').DB_ADDR).toBe('127.0.0.1');
    expect(always.forwards).toBe(1);

    const never = stubHost({});
    const n = network(never);
    n.registerService(service('db', { ports: [loopPort] }));
    n.registerService(remote('app', { deps: ['db'], tunnel: 'never' }));
    await n.prepare('app');
    const edge = n.resolveServiceIp('app', 'db');
    expect(edge).toMatchObject({ address: '192.168.1.2', port: loopPort });
    expect(edge.warning).toMatch(/listens on port \d+ only on 127\.0\.0\.1, which app on pi@lab:22 cannot reach \(tunnel: never\)/);
    expect(never.forwards).toBe(0);
    expect(warnings.some((w) => w.includes('tunnel: never'))).toBe(true);
  });

  it('two services on the same host reach each other on loopback', () => {
    const net = network(stubHost({}));
    net.registerService(remote('cache', { ports: [6379] }));
    net.registerService(remote('app', { deps: ['cache'] }));
    expect(net.resolveServiceIp('app', 'cache')).toMatchObject({ address: '127.0.0.1', port: 6379, note: 'both on lab (loopback)' });
  });
});
