import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../shared/errors.js';
import { hostEndpoint, parsePort, portBindings } from './ports.js';
import { parseVolume } from './volumes.js';

describe('ports', () => {
  it.each([
    [80, { hostIp: '127.0.0.1', hostPort: 80, containerPort: 80, protocol: 'tcp' }],
    ['8080:80', { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    ['0.0.0.0:8080:80', { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    ['127.0.0.1::80', { hostIp: '127.0.0.1', hostPort: null, containerPort: 80, protocol: 'tcp' }],
    ['5353:53/udp', { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' }],
    ['[::1]:8080:80', { hostIp: '::1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
  ])('parses %j with 127.0.0.1 as the default host address', (spec, expected) => {
    expect(parsePort(spec, 'where')).toEqual(expected);
  });

  it.each([0, 70000, 'abc', '1:2:3:4', '8080:80/sctp', 'x.y:1:2', '80:'])('rejects %j naming the field', (spec) => {
    const err = (() => {
      try {
        parsePort(spec, 'service "api": target.ports[0]');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).message).toMatch(/^service "api": target\.ports\[0\]: /);
  });

  it('builds bindings and maps a container port back to a connectable host endpoint', () => {
    const { exposed, bindings } = portBindings([parsePort('0.0.0.0:9000:80', 'x'), parsePort(81, 'x')]);
    expect(exposed).toEqual({ '80/tcp': {}, '81/tcp': {} });
    expect(bindings['80/tcp']).toEqual([{ HostIp: '0.0.0.0', HostPort: '9000' }]);
    expect(hostEndpoint([{ containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 9000 }], 80)).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(hostEndpoint([], 80)).toBeNull();
  });
});

describe('volumes', () => {
  it('parses bind mounts, named volumes, anonymous volumes and :ro', () => {
    expect(parseVolume('/srv/data:/data:ro', 'w')).toEqual({ kind: 'bind', source: '/srv/data', target: '/data', readOnly: true });
    expect(parseVolume('/srv/data:/data', 'w')).toEqual({ kind: 'bind', source: '/srv/data', target: '/data', readOnly: false });
    expect(parseVolume('pgdata:/var/lib/pg', 'w')).toEqual({ kind: 'volume', name: 'pgdata', target: '/var/lib/pg', readOnly: false });
    expect(parseVolume('/cache', 'w')).toEqual({ kind: 'anonymous', target: '/cache', readOnly: false });
  });

  it.each(['data:relative', './x:/y', 'a:b:c:d', 'rel'])('rejects %j', (spec) => {
    expect(() => parseVolume(spec, 'service "db": target.volumes[0]')).toThrow(/service "db": target\.volumes\[0\]/);
  });
});
