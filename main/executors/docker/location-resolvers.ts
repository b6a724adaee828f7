// Plugs the Docker rules of docker-resolvers.ts into the NetworkManager's (from kind, to kind)
// registry. Runtime facts come from the DockerExecutor: the project network's gateway (fetched in
// `prepare`, before a start) and the published ports of running containers.
import type { DockerExecutor } from './docker-executor.js';
import type { LocationKind, LocationResolver, Resolution, ResolveRequest } from '../../network/location-resolver.js';
import { resolveDockerToDocker, resolveDockerToProcess, resolveProcessToDocker } from './resolvers.js';
import { HOST_GATEWAY_ALIAS } from './container-spec.js';
import { readTcpListeners } from '../../os/tcp-listeners.js';

export interface DockerResolverOptions {
  /** Called with an edge's warning (e.g. a process only on 127.0.0.1) so the caller can write a
   * system log line for the dependent service. */
  onWarning?: (from: string, to: string, warning: string) => void;
}

function strip(edge: { from: string; to: string } & Resolution): Resolution {
  const { from: _f, to: _t, ...rest } = edge;
  return rest;
}

export function dockerLocationResolvers(
  executor: DockerExecutor,
  opts: DockerResolverOptions = {},
): Array<{ from: LocationKind; to: LocationKind; resolver: LocationResolver }> {
  const gateways = new Map<string, string>();
  const networkOf = (req: ResolveRequest): string => (req.from.location.kind === 'docker' ? req.from.location.network : '');

  const dockerToDocker: LocationResolver = {
    resolve({ from, to }) {
      return strip(resolveDockerToDocker(from.name, to.config));
    },
  };

  const dockerToLocal: LocationResolver = {
    async prepare(req) {
      const network = networkOf(req);
      if (!network || gateways.has(network)) return;
      const project = network.replace(/^harness-/, '');
      const info = await executor.network(project);
      if (info.gateway) gateways.set(network, info.gateway);
    },
    resolve(req) {
      // Without a prepared gateway the alias set on every container still reaches this machine.
      const gateway = gateways.get(networkOf(req)) ?? HOST_GATEWAY_ALIAS;
      const edge = resolveDockerToProcess(req.from.name, req.to.config, gateway, readTcpListeners());
      if (edge.warning) opts.onWarning?.(req.from.name, req.to.name, edge.warning);
      return strip(edge);
    },
  };

  const localToDocker: LocationResolver = {
    resolve({ from, to }) {
      const live = executor.liveContainer(to.name);
      return strip(resolveProcessToDocker(from.name, to.config, { published: live?.published, ip: live?.ip }));
    },
  };

  return [
    { from: 'docker', to: 'docker', resolver: dockerToDocker },
    { from: 'docker', to: 'local', resolver: dockerToLocal },
    { from: 'local', to: 'docker', resolver: localToDocker },
  ];
}
