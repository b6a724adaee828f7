// The running side of a valid project: ServiceManager + LogStore + NetworkManager wired together,
// with the manager's events forwarded to the session. Each executor's location resolvers (Docker
// networks, SSH tunnels…) are plugged into the NetworkManager, so `<DEP>_ADDR`/`<DEP>_PORT`
// resolve across locations; edge warnings become system log lines of the dependent service.
import type { RollbackReport } from '../../shared/api.js';
import type { ProjectConfig } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import type { ServiceState } from '../../shared/service-state.js';
import type { CoreEvent, ProjectChange } from '../core/core-events.js';
import { ServiceManager } from '../core/service-manager.js';
import { disposeExecutors, type ExecutorRegistry, type ExecutorRegistryOptions } from '../executors/registry.js';
import { LogStore } from '../logs/log-store.js';
import { NetworkManager } from '../network/network-manager.js';
import { EdgeWarnings } from './edge-warnings.js';

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
  private readonly unsubscribeHostKeys: Array<() => void>;
  private current: ProjectConfig;
  private readonly executors: ExecutorRegistry;
  private readonly stateDir: string;

  constructor(options: ProjectRuntimeOptions) {
    this.current = options.config;
    this.stateDir = options.stateDir;
    this.logs = new LogStore({ stateDir: options.stateDir, ringSize: options.logRingSize });
    this.executors = options.executors((service, stream, chunk) => this.logs.append(service, stream, chunk));
    const warnings = new EdgeWarnings((service, line) => this.logs.system(service, line));
    const executors = [...new Set(this.executors.values())];
    this.network = new NetworkManager({
      project: options.config.name,
      resolvers: executors.flatMap((e) => e.locationResolvers?.({ onWarning: warnings.report, fromHost: (name) => this.network.resolveFromHost(name) }) ?? []),
      locationOf: (service) => this.executors.get(service.target.type)?.locationOf?.(service, this.current),
      hosts: () => executors.flatMap((e) => e.hosts?.() ?? []),
      contributors: executors.flatMap((e) => (e.topology ? [() => e.topology!(this.current)] : [])),
      wireguard: () => executors.map((e) => e.wireguard?.()).find((w) => w !== undefined),
    });
    this.manager = new ServiceManager({
      project: options.config,
      executors: this.executors,
      network: this.network,
      logs: this.logs,
      stateDir: options.stateDir,
    });
    this.unsubscribeHostKeys = executors.map((e) => e.onHostKey?.((event) => options.onEvent({ type: 'hostKey', event })) ?? (() => undefined));
    this.unsubscribe = this.manager.on((event) => {
      if (event.type === 'status' && event.event.state.status === 'starting') warnings.reset(event.event.state.name);
      options.onEvent(event);
    });
  }

  get config(): ProjectConfig {
    return this.current;
  }

  state(name: string): ServiceState | undefined {
    try {
      return this.manager.getServiceStatus(name);
    } catch {
      return undefined; // not (yet) known to the manager, e.g. added by an unsaved edit
    }
  }

  async recover(): Promise<void> {
    await this.manager.recover();
  }

  async setProject(config: ProjectConfig): Promise<ProjectChange> {
    this.current = config;
    return this.manager.setProject(config);
  }

  /** Stops the named services (dependents first), all when omitted; returns the names stopped. */
  async stop(names?: string[]): Promise<string[]> {
    return (await this.manager.stop(names)).stopped;
  }

  forceKill(): void {
    this.manager.forceKill();
  }

  /** The first executor that reported the key trusts it (executors that share an SSH pool
   * report each unknown host once). */
  async trustHostKey(req: { host: string; port: number; fingerprint: string }): Promise<{ file: string; line: string }> {
    let notFound: unknown = null;
    for (const e of new Set(this.executors.values())) {
      if (!e.trustHostKey) continue;
      try {
        return await e.trustHostKey(req);
      } catch (err) {
        if (!(err instanceof HarnessError && err.code === 'NOT_FOUND')) throw err;
        notFound = err;
      }
    }
    throw notFound ?? new HarnessError('NOT_FOUND', `no host key of ${req.host} port ${req.port} is waiting to be trusted`);
  }

  /**
   * `harness rollback NAME`: the service's executor makes the previous release current (or the
   * one its next start runs), and a running service is restarted onto it. Refused for targets
   * without releases.
   */
  async rollback(name: string): Promise<RollbackReport> {
    const service = this.current.services.find((s) => s.name === name);
    if (!service) throw new HarnessError('NOT_FOUND', `no service "${name}" in ${this.current.file}`);
    const executor = this.executors.get(service.target.type);
    if (!executor?.rollback) {
      throw new HarnessError('BAD_REQUEST', `${name} is a ${service.target.type} service: only Wireguard services have releases to roll back to`);
    }
    const status = this.state(name)?.status;
    const running = status !== undefined && !['stopped', 'exited', 'failed'].includes(status);
    const r = await executor.rollback(service, { project: this.current, stateDir: this.stateDir, running });
    if (running || r.needsStart) {
      const report = running ? await this.manager.restart([name]) : await this.manager.start([name]);
      const failed = report.failed.find((f) => f.service === name);
      if (failed) throw new HarnessError('UNAVAILABLE', `${name}: rolled back to ${r.to}, but it did not come up: ${failed.reason}`, { ...r, failed });
    }
    return { service: name, from: r.from, to: r.to, restarted: running || r.needsStart === true };
  }

  async dispose(): Promise<void> {
    try {
      await this.manager.shutdown();
    } finally {
      this.unsubscribe();
      for (const off of this.unsubscribeHostKeys) off();
      // Open log follows and exit waits of the Docker executor would keep the process alive.
      await disposeExecutors(this.executors);
      await this.logs.close();
    }
  }
}
