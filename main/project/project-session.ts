// One open services.yaml and everything that runs it: the loaded document (edits, dirty flag,
// atomic save), and — once the file is valid — its ServiceManager, LogStore and NetworkManager.
// The API handlers, the CLI's foreground `up` and the desktop app all drive a project through this.
//
// Rules:
//  - A file with errors still opens: the snapshot lists its problems (and the services of the last
//    valid version, if any ran), and starting refuses with CONFIG_INVALID naming the problems.
//  - Opening another file stops the current stack first, then releases the old project's claim.
//  - The session must only run while its host holds the project's supervisor lock (the claim):
//    recovery stops processes left by an earlier supervisor of the same project.
import { dirname } from 'node:path';
import type { ConfigEdit, LogPage, ProjectSnapshot, ServiceSummary } from '../../shared/api.js';
import type { ConfigProblem, ProjectConfig } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import type { LogLine, ProjectEvent } from '../../shared/events.js';
import type { TopologySnapshot } from '../../shared/network-types.js';
import type { ServiceState } from '../../shared/service-state.js';
import type { ConfigDocument } from '../config/config-document.js';
import { didYouMean } from '../config/did-you-mean.js';
import { rawServices } from '../config/raw-services.js';
import { HARNESS_LOG } from '../core/service-manager.js';
import { checkServiceNames } from '../../shared/service-names.js';
import { createExecutors, disposeExecutors, type ExecutorRegistry, type ExecutorRegistryOptions } from '../executors/registry.js';
import { defaultProjectName } from '../config/index.js';
import { ensureProjectStateDir } from '../state/paths.js';
import { assertStarted } from './failed-start.js';
import { problemSummary } from './problem-summary.js';
import { ProjectRuntime } from './project-runtime.js';
import type { ProjectClaim, SessionEvent, SessionListener, StartReport } from './session-types.js';
import { applyConfigEdits, createConfigFile, loadConfig, saveConfig } from './config-io.js';

export interface ProjectSessionOptions {
  /** Environment for interpolation and the state root (HARNESS_STATE_DIR). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Executors for a newly opened project; default createExecutors(). */
  executors?: (options: ExecutorRegistryOptions) => ExecutorRegistry;
  /** Passed to the executors of every project (e.g. `ssh: { hostKeyPolicy: 'accept-new' }` for
   * `--accept-new-hosts`). */
  executorOptions?: Pick<ExecutorRegistryOptions, 'ssh' | 'remoteWatchIntervalMs'>;
  claim?: ProjectClaim;
  /** Lines kept in memory per service. */
  logRingSize?: number;
}

interface OpenFile {
  file: string;
  stateDir: string;
  document: ConfigDocument;
  /** null while the document has errors. */
  config: ProjectConfig | null;
  problems: ConfigProblem[];
  dirty: boolean;
  runtime: ProjectRuntime | null;
  /** Recovery of leftovers, run once when the runtime is made; starts wait for it. */
  recovered: Promise<void>;
  release: () => Promise<void> | void;
}

export class ProjectSession {
  private current: OpenFile | null = null;
  private readonly listeners = new Set<SessionListener>();
  private seq = 0;
  private closing = false;
  /** Serialises open/close/reload so two API calls cannot interleave a project switch. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ProjectSessionOptions = {}) {}

  get file(): string | null {
    return this.current?.file ?? null;
  }

  get stateDir(): string | null {
    return this.current?.stateDir ?? null;
  }

  /** The valid config in effect (the running one when the document currently has errors). */
  get config(): ProjectConfig | null {
    return this.current?.config ?? this.current?.runtime?.config ?? null;
  }

  get problems(): ConfigProblem[] {
    return this.current?.problems ?? [];
  }

  on(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  open(path: string): Promise<ProjectSnapshot> {
    return this.serial(async () => {
      const env = this.options.env ?? process.env;
      const loaded = await loadConfig(path, env);
      const stateDir = await ensureProjectStateDir(loaded.document.file, env);
      if (this.current?.file === loaded.document.file) {
        // Re-opening the open file is a reload, not a switch: keep the claim and the runtime.
        await this.adopt(loaded);
        this.emitProject('opened');
        return this.snapshot();
      }
      const release = this.options.claim ? await this.options.claim(loaded.document.file, stateDir, loaded.config?.name ?? null) : () => undefined;
      await this.closeCurrent();
      this.current = {
        file: loaded.document.file,
        stateDir,
        document: loaded.document,
        config: loaded.config,
        problems: loaded.problems,
        dirty: false,
        runtime: null,
        recovered: Promise.resolve(),
        release,
      };
      if (loaded.config) {
        await this.ensureRuntime(loaded.config);
      } else {
        // No valid config, but what an earlier run left must not linger: each executor recovers
        // against a project with no services, so nothing is adopted and leftovers whose output
        // died with their supervisor are stopped (containers stay, as their recovery says).
        const lines = await this.recoverWithoutConfig(loaded.document.file, stateDir);
        for (const line of lines) this.emit({ type: 'log', line: systemLine(HARNESS_LOG, line) });
      }
      this.emitProject('opened');
      return this.snapshot();
    });
  }

  async create(path: string): Promise<ProjectSnapshot> {
    await createConfigFile(path);
    return this.open(path);
  }

  reload(): Promise<ProjectSnapshot> {
    return this.serial(async () => {
      const cur = this.require();
      await this.adopt(await loadConfig(cur.file, this.options.env ?? process.env));
      this.emitProject('changed');
      return this.snapshot();
    });
  }

  edit(edits: ConfigEdit[]): Promise<ProjectSnapshot> {
    return this.serial(async () => {
      const cur = this.require();
      const result = await applyConfigEdits(cur.document, edits);
      await this.adopt(result);
      cur.dirty = true;
      this.emitProject('changed');
      return this.snapshot();
    });
  }

  /** Atomic save. Saving under another path makes that the project's file (reopened there,
   * which stops the current stack: the state directory and lock follow the file). */
  save(path?: string): Promise<{ file: string }> {
    return this.serial(async () => {
      const cur = this.require();
      const target = await saveConfig(cur.document, path ?? cur.file);
      if (target === cur.file) {
        cur.dirty = false;
        this.emitProject('saved');
      }
      return { file: target };
    }).then(async (r) => {
      if (r.file !== this.current?.file) {
        await this.open(r.file);
        this.emitProject('saved');
      }
      return r;
    });
  }

  snapshot(): ProjectSnapshot {
    const cur = this.current;
    if (!cur) return { file: null, project: null, dirty: false, services: [], problems: [], seq: this.seq };
    const config = this.config;
    const raw = rawServices(cur.document);
    const services: ServiceSummary[] = (config?.services ?? []).map((svc) => ({
      config: svc,
      state: cur.runtime?.state(svc.name) ?? stoppedState(svc.name, svc.target.type),
      raw: raw.get(svc.name),
    }));
    return { file: cur.file, project: config?.name ?? null, dirty: cur.dirty, services, problems: cur.problems, seq: this.seq };
  }

  states(): ServiceState[] {
    return this.snapshot().services.map((s) => s.state);
  }

  /** Resolves when every requested service is ready or failed. */
  async start(names?: string[]): Promise<StartReport> {
    if (this.closing) throw new HarnessError('UNAVAILABLE', 'the project is being closed; nothing more is started');
    await this.settled();
    const cur = this.require();
    if (!cur.config) {
      throw new HarnessError('CONFIG_INVALID', `${cur.file} has problems; fix them before starting:\n${problemSummary(cur.problems)}`, {
        problems: cur.problems,
      });
    }
    this.checkNames(cur.config, names);
    const runtime = await this.ensureRuntime(cur.config);
    return runtime.manager.start(names);
  }

  async stop(names?: string[]): Promise<string[]> {
    await this.settled();
    const cur = this.require();
    // Against the config in effect: while the document has errors, that is the running one.
    if (this.config) this.checkNames(this.config, names);
    if (!cur.runtime) return [];
    return cur.runtime.stop(names);
  }

  async restart(names: string[]): Promise<string[]> {
    await this.settled();
    const cur = this.require();
    if (!cur.config) throw new HarnessError('CONFIG_INVALID', `${cur.file} has problems:\n${problemSummary(cur.problems)}`, { problems: cur.problems });
    this.checkNames(cur.config, names);
    const runtime = await this.ensureRuntime(cur.config);
    assertStarted(await runtime.manager.restart(names));
    return names;
  }

  /** Second Ctrl-C: SIGKILL every running process group now (the regular stop keeps waiting and
   * sees them exit), so nothing is left even when a service ignores its stop signal. */
  forceKill(): void {
    this.current?.runtime?.forceKill();
  }

  history(service?: string, limit?: number): LogLine[] {
    if (service !== undefined && this.config) this.checkNames(this.config, [service]);
    return this.current?.runtime?.logs.history(service, limit) ?? [];
  }

  /** One page of log history (`logs.page`); named services must exist in the file. */
  logPage(query: { services?: string[]; limit?: number; after?: number; until?: number }): LogPage {
    if (query.services && this.config) this.checkNames(this.config, query.services);
    return this.current?.runtime?.logs.page(query) ?? { lines: [], next: null, until: query.until ?? 0, evicted: {} };
  }

  topology(): TopologySnapshot {
    return this.current?.runtime?.network.topology() ?? { interfaces: [], services: [], edges: [] };
  }

  /** Trusts a host key that a `hostKey` event of this project showed (see the API method). */
  async trustHostKey(req: { host: string; port: number; fingerprint: string }): Promise<{ file: string; line: string }> {
    const runtime = this.require().runtime;
    if (!runtime) throw new HarnessError('NOT_FOUND', `no host key of ${req.host} port ${req.port} is waiting to be trusted (nothing was started)`);
    return runtime.trustHostKey(req);
  }

  /** Stops every service, flushes logs and releases the project. */
  close(): Promise<void> {
    return this.serial(() => this.closeCurrent());
  }

  private async closeCurrent(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    // Stays current while its services stop, so snapshots show them stopping and a forced stop
    // (second Ctrl-C) still reaches them; new starts are refused meanwhile.
    this.closing = true;
    try {
      await cur.runtime?.dispose();
    } finally {
      this.current = null;
      this.closing = false;
      await cur.release();
      this.emitProject('closed', cur.file);
    }
  }

  /** Takes a freshly loaded/edited document; a valid config is handed to the runtime. */
  private async adopt(loaded: { document: ConfigDocument; config: ProjectConfig | null; problems: ConfigProblem[] }): Promise<void> {
    const cur = this.require();
    cur.document = loaded.document;
    cur.config = loaded.config;
    cur.problems = loaded.problems;
    cur.dirty = false;
    if (loaded.config && cur.runtime) await cur.runtime.setProject(loaded.config);
  }

  private async ensureRuntime(config: ProjectConfig): Promise<ProjectRuntime> {
    const cur = this.require();
    if (cur.runtime) {
      await cur.recovered;
      return cur.runtime;
    }
    const runtime = new ProjectRuntime({
      config,
      stateDir: cur.stateDir,
      executors: (log) => (this.options.executors ?? createExecutors)({ ...this.options.executorOptions, env: this.options.env, log }),
      logRingSize: this.options.logRingSize,
      onEvent: (e) => this.emit(e),
    });
    cur.runtime = runtime;
    cur.recovered = runtime.recover().catch((err: Error) => {
      this.emit({ type: 'log', line: systemLine(HARNESS_LOG, `recovery of leftovers failed: ${err.message}`) });
    });
    await cur.recovered;
    return runtime;
  }

  private async recoverWithoutConfig(file: string, stateDir: string): Promise<string[]> {
    const executors = (this.options.executors ?? createExecutors)({ ...this.options.executorOptions, env: this.options.env });
    const empty: ProjectConfig = { name: defaultProjectName(dirname(file)), file, dir: dirname(file), services: [] };
    const lines: string[] = [];
    try {
      for (const executor of new Set(executors.values())) {
        const report = await executor.recover?.(empty, stateDir).catch((err: Error) => ({ cleaned: [`${executor.type}: leftover cleanup failed: ${err.message}`] }));
        lines.push(...(report?.cleaned ?? []));
      }
    } finally {
      await disposeExecutors(executors);
    }
    return lines;
  }

  /** Names a caller gives are checked here, at the door, against the file. The manager keeps the
   * same helper for callers that drive the core directly; after this check it never speaks. */
  private checkNames(config: ProjectConfig, names: string[] = []): void {
    if (names.length > 0) checkServiceNames(names, new Set(config.services.map((s) => s.name)), config.file, didYouMean);
  }

  private require(): OpenFile {
    if (!this.current) throw new HarnessError('NOT_FOUND', 'no project is open (open a services.yaml first)');
    return this.current;
  }

  private emit(event: SessionEvent): void {
    if (event.type === 'status') this.seq = Math.max(this.seq, event.event.seq);
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A failing subscriber must not break the others or the core.
      }
    }
  }

  private emitProject(kind: ProjectEvent['kind'], file = this.current?.file ?? null): void {
    this.emit({ type: 'project', event: { kind, file, problems: this.current?.problems ?? [] } });
  }

  /** Waits for a pending open/reload/edit, so a start never runs against a half-opened project
   * (e.g. while recovery is still stopping an earlier supervisor's leftovers). */
  private async settled(): Promise<void> {
    await this.queue;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

export function stoppedState(name: string, type: ServiceState['type']): ServiceState {
  return { name, type, status: 'stopped', restarts: 0, updatedAt: Date.now() };
}

function systemLine(service: string, line: string): LogLine {
  return { service, stream: 'system', ts: Date.now(), line, n: 0 };
}
