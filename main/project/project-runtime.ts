// The running side of a valid project: ServiceManager + LogStore + NetworkManager wired together,
// with the manager's events forwarded to the session.
import type { ProjectConfig } from '../../shared/config-types.js';
import type { ServiceState } from '../../shared/service-state.js';
import type { CoreEvent } from '../core/core-events.js';
import { ServiceManager } from '../core/service-manager.js';
import type { ExecutorRegistry, ExecutorRegistryOptions } from '../executors/registry.js';
import { signalGroup } from '../executors/process/process-group.js';
import { LogStore } from '../logs/log-store.js';
import { NetworkManager } from '../network/network-manager.js';

export interface ProjectRuntimeOptions {
  config: ProjectConfig;
  stateDir: string;
  /** Executors for this project; `log` feeds output of recovered instances to its LogStore. */
  executors: (log: ExecutorRegistryOptions['log']) => ExecutorRegistry;
  logRingSize?: number;
  onEvent: (event: CoreEvent) => void;
}

export class ProjectRuntime {
  readonly logs: LogStore;
  readonly network: NetworkManager;
  readonly manager: ServiceManager;
  private unsubscribe: () => void;
  private current: ProjectConfig;

  constructor(options: ProjectRuntimeOptions) {
    this.current = options.config;
    this.logs = new LogStore({ stateDir: options.stateDir, ringSize: options.logRingSize });
    this.network = new NetworkManager({ project: options.config.name });
    this.manager = new ServiceManager({
      project: options.config,
      executors: options.executors((service, stream, chunk) => this.logs.append(service, stream, chunk)),
      network: this.network,
      logs: this.logs,
      stateDir: options.stateDir,
    });
    this.unsubscribe = this.manager.on(options.onEvent);
  }

  get config(): ProjectConfig {
    return this.current;
  }

  state(name: string): ServiceState | undefined {
    try {
      return this.manager.get_service_status(name);
    } catch {
      return undefined; // not (yet) known to the manager, e.g. added by an unsaved edit
    }
  }

  async recover(): Promise<void> {
    await this.manager.recover();
  }

  async setProject(config: ProjectConfig): Promise<void> {
    this.current = config;
    await this.manager.setProject(config);
  }

  /** Stops the named services (dependents first), all when omitted; returns the names stopped. */
  async stop(names?: string[]): Promise<string[]> {
    return (await this.manager.stop(names)).stopped;
  }

  forceKill(): void {
    for (const s of this.manager.states()) {
      // A Process service leads its own process group (pgid = pid): the group holds its children.
      if (s.type === 'Process' && s.pid && s.status !== 'stopped' && s.status !== 'exited' && s.status !== 'failed') {
        signalGroup(s.pid, 'SIGKILL');
      }
    }
  }

  async dispose(): Promise<void> {
    try {
      await this.manager.shutdown();
    } finally {
      this.unsubscribe();
      await this.logs.close();
    }
  }
}
