// Which executor runs which target type. One place to plug in new target types: the manager only
// sees the map. Executors may hold connections (Docker log follows, exit waits): `disposeExecutors`
// lets go of them when the project's runtime ends.
import type { TargetType } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import type { LogStream } from '../../shared/events.js';
import type { ServiceExecutor } from '../core/executor.js';
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

  async healthCheck(): Promise<{ ok: false; message: string; at: number }> {
    return { ok: false, message: `${this.type} targets are not supported by this build yet`, at: Date.now() };
  }

  async getLogs(): Promise<[]> {
    return [];
  }
}

export function createExecutors(opts: ExecutorRegistryOptions = {}): ExecutorRegistry {
  const registry: ExecutorRegistry = new Map();
  registry.set('Process', new ProcessExecutor(opts.process));
  // DockerExecutor.recover itself skips projects without Docker services (no engine, no network).
  registry.set('Docker', new DockerExecutor({ engine: new DockerEngine(opts.env ?? process.env), recoveredLog: opts.log }));
  registry.set('RemoteLan', new UnsupportedExecutor('RemoteLan'));
  registry.set('Wireguard', new UnsupportedExecutor('Wireguard'));
  return registry;
}

/** Releases what executors hold open (e.g. DockerExecutor's log/exit-wait connections, which
 * would otherwise keep the supervisor process alive). Running instances are not touched. */
export async function disposeExecutors(registry: ExecutorRegistry): Promise<void> {
  for (const executor of new Set(registry.values())) {
    const dispose = (executor as { dispose?: () => void | Promise<void> }).dispose;
    if (typeof dispose === 'function') await Promise.resolve(dispose.call(executor)).catch(() => undefined);
  }
}
