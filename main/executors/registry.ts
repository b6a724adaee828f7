// Which executor runs which target type: the one list that names concrete executors. A new target
// type is its own folder under executors/ plus one line here; the core and the project runtime
// see only the ServiceExecutor interface.
import type { TargetType } from '../../shared/config-types.js';
import type { LogStream } from '../../shared/events.js';
import type { CleanupRequest, ServiceExecutor } from '../core/executor.js';
import { DockerExecutor } from './docker/docker-executor.js';
import { DockerEngine } from './docker/engine.js';
import { ProcessExecutor, type ProcessExecutorOptions } from './process/process-executor.js';
import { RemoteLanExecutor, SharedSshPool, type SshPoolOptions } from './remote-lan/index.js';
import { WireguardExecutor } from './wireguard/index.js';

export type ExecutorRegistry = Map<TargetType, ServiceExecutor>;

export interface ExecutorRegistryOptions {
  process?: ProcessExecutorOptions;
  /** Environment for DOCKER_HOST. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where output of instances adopted during recovery goes (the project's LogStore). */
  log?: (service: string, stream: LogStream, chunk: string | Buffer) => void;
  /** The SSH pool every remote executor of the registry shares (known_hosts, keys, host-key
   * policy: `accept-new` for `--accept-new-hosts`). Default: the user's ~/.ssh, strict. */
  ssh?: SshPoolOptions;
  /** How often a host's watch loop looks at its run directories. Default 200 ms. */
  remoteWatchIntervalMs?: number;
}

export function createExecutors(opts: ExecutorRegistryOptions = {}): ExecutorRegistry {
  const registry: ExecutorRegistry = new Map();
  registry.set('Process', new ProcessExecutor(opts.process));
  // DockerExecutor.recover itself skips projects without Docker services (no engine, no network).
  registry.set('Docker', new DockerExecutor({ engine: new DockerEngine(opts.env ?? process.env), recoveredLog: opts.log }));
  // One pool per registry (one per project runtime): one connection per host/port/user across
  // every executor that talks SSH; the last executor to be disposed closes it.
  const ssh = new SharedSshPool(opts.ssh);
  const remote = new RemoteLanExecutor({ ssh, recoveredLog: opts.log, watchIntervalMs: opts.remoteWatchIntervalMs });
  // Wireguard packages run in RemoteLan's run directories on the same sessions. Listed first, so
  // its recovery and cleanup (stop.sh, interrupted deploys) run before RemoteLan's sweep of them.
  registry.set('Wireguard', new WireguardExecutor({ remote, ssh, recoveredLog: opts.log }));
  registry.set('RemoteLan', remote);
  return registry;
}

/** Releases what executors hold open (log follows, exit waits, connections), which would
 * otherwise keep the supervisor process alive. Running instances are not touched. */
export async function disposeExecutors(registry: ExecutorRegistry): Promise<void> {
  for (const executor of new Set(registry.values())) {
    await Promise.resolve()
      .then(() => executor.dispose?.())
      .catch(() => undefined);
  }
}

/** What every executor left for a project while no supervisor runs, stopped and removed (`harness
 * down`, opening a file that no longer validates). False when something could not be stopped. */
export async function cleanupProject(registry: ExecutorRegistry, req: CleanupRequest): Promise<boolean> {
  let ok = true;
  for (const executor of new Set(registry.values())) {
    if (!executor.cleanup) continue;
    try {
      ok = (await executor.cleanup(req)) && ok;
    } catch (err) {
      req.report(`${executor.type}: cleanup failed: ${(err as Error).message}`);
      ok = false;
    }
  }
  return ok;
}
