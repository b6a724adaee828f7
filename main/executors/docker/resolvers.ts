// How services reach each other when Docker is involved (the table in docs/docker.md):
//   Docker  -> Docker : the dependency's service name, an alias on the project network, and its
//                       container port (or its IP on that network).
//   Docker  -> Process: the project network's gateway (the host's address on that bridge) and the
//                       process's port; warned when the process listens only on 127.0.0.1.
//   Process -> Docker : 127.0.0.1 and the published host port.
// Pure functions over what the caller knows; the NetworkManager supplies the runtime facts.
import type { ServiceConfig } from '../../../shared/config-types.js';
import type { ResolvedEdge } from '../../../shared/network-types.js';
import { parsePorts, type PublishedPort } from './ports.js';
import { loopbackOnly, readTcpListeners, type TcpListener } from '../../os/tcp-listeners.js';

function firstPort(service: ServiceConfig): ReturnType<typeof parsePorts>[number] | undefined {
  if (service.target.type !== 'Docker') return undefined;
  return parsePorts(service.target.ports, service.name)[0];
}

function processPort(service: ServiceConfig): number | undefined {
  const t = service.target;
  return t.type === 'Process' ? t.ports[0] : undefined;
}

export function resolveDockerToDocker(from: string, to: ServiceConfig, opts: { useIp?: string } = {}): ResolvedEdge {
  const port = firstPort(to)?.containerPort;
  return {
    from,
    to: to.name,
    address: opts.useIp ?? to.name,
    port,
    note: opts.useIp
      ? `container IP of ${to.name} on the project network`
      : `service name ${to.name}, an alias on the project network; port is the container port`,
  };
}

export function resolveDockerToProcess(
  from: string,
  to: ServiceConfig,
  gateway: string,
  listeners: TcpListener[] = readTcpListeners(),
): ResolvedEdge {
  const port = processPort(to);
  const edge: ResolvedEdge = {
    from,
    to: to.name,
    address: gateway,
    port,
    note: `the project network's gateway: this machine as seen from containers (also host.docker.internal)`,
  };
  if (port !== undefined && loopbackOnly(listeners, port)) {
    edge.warning =
      `${to.name} listens on port ${port} only on 127.0.0.1, which containers cannot reach; ` +
      `make it listen on 0.0.0.0 (or ${gateway}) for ${from} to connect`;
  }
  return edge;
}

export function resolveProcessToDocker(
  from: string,
  to: ServiceConfig,
  runtime: { published?: PublishedPort[]; ip?: string } = {},
): ResolvedEdge {
  const mapping = firstPort(to);
  if (!mapping) {
    // Nothing published: on Linux the host reaches the container's bridge IP directly.
    return { from, to: to.name, address: runtime.ip ?? to.name, note: `${to.name} publishes no port: container IP` };
  }
  const live = runtime.published?.find((p) => p.containerPort === mapping.containerPort && p.protocol === mapping.protocol);
  const hostPort = live?.hostPort ?? mapping.hostPort ?? undefined;
  const hostIp = live?.hostIp ?? mapping.hostIp;
  const address = hostIp === '0.0.0.0' || hostIp === '' ? '127.0.0.1' : hostIp === '::' ? '::1' : hostIp;
  return { from, to: to.name, address, port: hostPort, note: `published port ${hostPort} -> ${mapping.containerPort} on ${address}` };
}
