// A real core (ServiceManager + LogStore + NetworkManager) with both the ProcessExecutor and a
// DockerExecutor whose resolvers are plugged into the NetworkManager, as the supervisor wires it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProjectConfig } from '../../../../shared/config-types.js';
import type { CoreEvent, ExecutorRegistry } from '../../../core/core-events.js';
import { ServiceManager } from '../../../core/service-manager.js';
import { LogStore } from '../../../logs/log-store.js';
import { dockerLocationResolvers } from '../location-resolvers.js';
import { NetworkManager } from '../../../network/network-manager.js';
import { ProcessExecutor } from '../../process/process-executor.js';
import { DockerExecutor } from '../docker-executor.js';
import { DockerEngine } from '../engine.js';

export interface DockerCore {
  manager: ServiceManager;
  logs: LogStore;
  network: NetworkManager;
  docker: DockerExecutor;
  events: CoreEvent[];
  warnings: string[];
  text(service: string): string;
  dispose(): Promise<void>;
}

export async function createDockerCore(project: ProjectConfig, engine = new DockerEngine()): Promise<DockerCore> {
  const stateDir = await mkdtemp(join(tmpdir(), 'harness-dcore-'));
  const logs = new LogStore({});
  const docker = new DockerExecutor({ engine, recoveredLog: (s, stream, chunk) => logs.append(s, stream, chunk) });
  const warnings: string[] = [];
  const network = new NetworkManager({
    project: project.name,
    resolvers: dockerLocationResolvers(docker, {
      onWarning: (from, _to, warning) => {
        warnings.push(warning);
        logs.system(from, warning);
      },
    }),
  });
  const executors: ExecutorRegistry = new Map<ProcessExecutor['type'] | DockerExecutor['type'], ProcessExecutor | DockerExecutor>([
    ['Process', new ProcessExecutor()],
    ['Docker', docker],
  ]);
  const manager = new ServiceManager({ project: { ...project, dir: stateDir }, executors, network, logs, stateDir });
  const events: CoreEvent[] = [];
  manager.on((e) => events.push(e));
  return {
    manager,
    logs,
    network,
    docker,
    events,
    warnings,
    text: (service) => logs.history(service).map((l) => `${l.stream}: ${l.line}`).join('\n'),
    dispose: async () => {
      try {
        await manager.shutdown();
      } finally {
        docker.dispose();
        await logs.close();
        await rm(stateDir, { recursive: true, force: true });
      }
    },
  };
}
