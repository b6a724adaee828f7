// The calls a ServiceLifecycle makes to its executor and the NetworkManager for one instance:
// starting it (network prepared, addresses injected), where it is reached once it runs, and
// stopping it. They touch no lifecycle state; the lifecycle decides what each result means.
import type { ServiceConfig } from '../../shared/config-types.js';
import type { LogStore } from '../logs/log-store.js';
import { declaredPorts } from '../network/declared-ports.js';
import type { NetworkManager } from '../network/network-manager.js';
import type { CoreEventBus } from './core-event-bus.js';
import type { ExecutorContext, ExitInfo, RunningInstance, ServiceExecutor } from './executor.js';

export interface InstanceDeps {
  readonly network: NetworkManager;
  readonly logs: LogStore;
  readonly bus: CoreEventBus;
  readonly stateDir: string;
  project(): ExecutorContext['project'];
}

export type StartAttempt =
  | { kind: 'started'; instance: RunningInstance }
  | { kind: 'failed'; message: string }
  /** Stopped before the executor was asked. */
  | { kind: 'aborted' };

/**
 * Prepares the network (tunnels, interfaces), injects `<DEP>_ADDR`/`_PORT`, then asks the executor
 * to start. Takes the controller, not its signal: Node creates an AbortSignal on first access
 * (a few µs), and that must not happen in the synchronous part, where dependents that became
 * launchable in the same tick wait for each other.
 */
export async function startInstance(config: ServiceConfig, executor: ServiceExecutor, deps: InstanceDeps, abort: AbortController): Promise<StartAttempt> {
  const { network, logs, bus } = deps;
  let injectedEnv: Record<string, string>;
  try {
    await network.prepare(config.name);
    injectedEnv = network.envFor(config.name);
  } catch (err) {
    return { kind: 'failed', message: `${config.name}: ${(err as Error).message}` };
  }
  const { signal } = abort;
  if (signal.aborted) return { kind: 'aborted' };
  const ctx: ExecutorContext = {
    project: deps.project(),
    stateDir: deps.stateDir,
    injectedEnv,
    log: (stream, chunk) => logs.append(config.name, stream, chunk),
    progress: (p) => bus.emit({ type: 'progress', event: { ...p, service: config.name } }),
    signal,
  };
  try {
    return { kind: 'started', instance: await executor.start(config, ctx) };
  } catch (err) {
    return { kind: 'failed', message: (err as Error)?.message ?? String(err) };
  }
}

/** Where a running instance is reached from this machine; what the executor learned about its
 * location (a container's IP) is handed to the NetworkManager first. */
export function reachOf(
  config: ServiceConfig,
  executor: ServiceExecutor | undefined,
  instance: RunningInstance,
  network: NetworkManager,
): { address: string | undefined; ports: number[] } {
  const learned = executor?.locate?.(config, instance);
  if (learned) network.updateLocation(config.name, learned);
  const fromHost = network.resolveFromHost(config.name);
  return {
    address: fromHost?.address ?? instance.address,
    ports: fromHost?.port !== undefined ? [fromHost.port] : declaredPorts(config.target),
  };
}

/** Stops the instance with the service's signal and grace period; a failing stop is logged and
 * reported as the exit. */
export async function stopInstance(config: ServiceConfig, executor: ServiceExecutor, instance: RunningInstance, logs: LogStore): Promise<ExitInfo> {
  try {
    return await executor.stop(config, instance, { signal: config.stop_signal, graceMs: config.stop_grace_period_ms });
  } catch (err) {
    const exit = { code: null, signal: null, error: `stop failed: ${(err as Error).message}` };
    logs.system(config.name, exit.error);
    return exit;
  }
}
