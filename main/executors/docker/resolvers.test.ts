import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../../shared/config-types.js';
import { loopbackOnly, parseProcNetTcp } from '../../os/tcp-listeners.js';
import { resolveDockerToDocker, resolveDockerToProcess, resolveProcessToDocker } from './resolvers.js';

const base = { dependencies: [], restart: { policy: 'no' as const, max_retries: 0, backoff_ms: 1, max_backoff_ms: 1 }, stop_signal: 'SIGTERM', stop_grace_period_ms: 1 };
const docker = (name: string, ports: Array<number | string>): ServiceConfig => ({
  ...base,
  name,
  target: { type: 'Docker', image: 'x', env: {}, ports, volumes: [] },
});
const proc = (name: string, ports: number[]): ServiceConfig => ({
  ...base,
  name,
  target: { type: 'Process', binary: 'x', args: [], env: {}, working_dir: '/', ports },
});

const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0
   2: 0100007F:1F92 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0
`;

describe('Docker location resolvers', () => {
  it('Docker -> Docker: service name and container port', () => {
    expect(resolveDockerToDocker('a', docker('db', ['15432:5432']))).toMatchObject({ from: 'a', to: 'db', address: 'db', port: 5432 });
  });

  it('Process -> Docker: loopback and the published host port (live binding wins for engine-picked ports)', () => {
    expect(resolveProcessToDocker('p', docker('db', ['15432:5432']))).toMatchObject({ address: '127.0.0.1', port: 15432 });
    expect(
      resolveProcessToDocker('p', docker('db', ['127.0.0.1::5432']), {
        published: [{ containerPort: 5432, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 40000 }],
      }),
    ).toMatchObject({ address: '127.0.0.1', port: 40000 });
  });

  it('Docker -> Process: the gateway, with a warning only for a loopback-only listener', () => {
    const listeners = parseProcNetTcp(PROC_NET_TCP, false);
    expect(listeners.map(({ address, port }) => ({ address, port }))).toEqual([
      { address: '127.0.0.1', port: 8080 },
      { address: '0.0.0.0', port: 8081 },
    ]);
    expect(listeners.every((l) => Number.isInteger(l.inode))).toBe(true);
    expect(loopbackOnly(listeners, 8080)).toBe(true);
    expect(loopbackOnly(listeners, 8081)).toBe(false);
    expect(loopbackOnly(listeners, 8082)).toBe(false);
    const warned = resolveDockerToProcess('c', proc('api', [8080]), '172.18.0.1', listeners);
    expect(warned).toMatchObject({ address: '172.18.0.1', port: 8080 });
    expect(warned.warning).toContain('api listens on port 8080 only on 127.0.0.1');
    expect(resolveDockerToProcess('c', proc('api', [8081]), '172.18.0.1', listeners).warning).toBeUndefined();
  });
});
