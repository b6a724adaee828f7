// Which executor runs which target type. One place to plug in new target types: the manager only
// sees the map.
import type { ProjectConfig, TargetType } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import type { LogStream } from '../../shared/events.js';
import type { RecoveryReport, ServiceExecutor } from '../core/executor.js';
import { DockerExecutor } from './docker/docker-executor.js';
import { DockerEngine } from './docker/engine.js';
import { ProcessExecutor, type ProcessExecutorOptions } from './process/process-executor.js';

export type ExecutorRegistry = Map<TargetType, ServiceExecutor>;

export interface ExecutorRegistryOptions {
  process?: ProcessExecutorOptions;
  /** Environment for DOCKER_HOST. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where output of instances adopted during recovery goes (the project's LogStore). */
  log?: (service: string, stream: LogStream, chunk: string | Buffer) => void;
}

/**
 * Stands in for target types this build cannot run yet: starting such a service fails with a clear
 * UNAVAILABLE error for that service alone; the rest of the stack is unaffected.
 */
export class UnsupportedExecutor implements ServiceExecutor {
  constructor(readonly type: TargetType) {}

  start(service: { name: string }): Promise<never> {
    return Promise.reject(new HarnessError('UNAVAILABLE', `${service.name}: ${this.type} targets are not supported by this build yet`));
  }

  async stop(): Promise<{ code: null; signal: null }> {
    return { code: null, signal: null };
  }

  async health_check(): Promise<{ ok: false; message: string; at: number }> {
    return { ok: false, message: `${this.type} targets are not supported by this build yet`, at: Date.now() };
  }

  async get_logs(): Promise<[]> {
    return [];
  }
}

/**
 * Runs an executor's recovery only for projects that use its target type, so a Process-only
 * project never talks to (or waits for) a Docker engine, nor creates a Docker network.
 */
export function recoverOnlyWhenUsed(inner: ServiceExecutor): ServiceExecutor {
  const recover = inner.recover?.bind(inner);
  if (!recover) return inner;
  return Object.assign(Object.create(inner) as ServiceExecutor, {
    recover(project: ProjectConfig, stateDir: string): Promise<RecoveryReport> {
      if (!project.services.some((s) => s.target.type === inner.type)) {
        return Promise.resolve({ adopted: new Map(), cleaned: [] });
      }
      return recover(project, stateDir);
    },
  });
}

export function createExecutors(opts: ExecutorRegistryOptions = {}): ExecutorRegistry {
  const registry: ExecutorRegistry = new Map();
  registry.set('Process', new ProcessExecutor(opts.process));
  registry.set(
    'Docker',
    recoverOnlyWhenUsed(new DockerExecutor({ engine: new DockerEngine(opts.env ?? process.env), recoveredLog: opts.log })),
  );
  registry.set('RemoteLan', new UnsupportedExecutor('RemoteLan'));
  registry.set('Wireguard', new UnsupportedExecutor('Wireguard'));
  return registry;
}
