// One open services.yaml and everything that runs it: the draft the user edits (ProjectDraft:
// text, undo history, the file it came from), the file on disk (watched; saves refuse to overwrite
// a version they did not load), and — once the file is valid — its ServiceManager, LogStore and
// NetworkManager. The API handlers, the CLI's foreground `up` and the desktop app all drive a
// project through this.
//
// Rules:
//  - Edits change the draft only. The runtime follows the file on disk: after a save (or an
//    external change) stopped services take the file's config; running ones keep theirs and are
//    reported changed until `apply` restarts them with it (apply-plan.ts).
//  - A file with errors still opens: the snapshot lists its problems and every service that could
//    be read, and starting refuses with CONFIG_INVALID naming the saved file's problems.
//  - Unsaved edits are written to the project's state directory after every change (a recovery
//    draft), so they survive the process; the next session of the file offers them back.
//  - Opening another file stops the current stack first, then releases the old project's claim.
//  - The session must only run while its host holds the project's supervisor lock (the claim):
//    recovery stops processes left by an earlier supervisor of the same project.
import type { ConfigEdit, LogPage, ProjectSnapshot, RollbackReport, SourceKind } from '../../shared/api.js';
import type { ConfigProblem, ProjectConfig } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import type { LogLine, ProjectEvent } from '../../shared/events.js';
import type { TopologySnapshot } from '../../shared/network-types.js';
import type { ServiceState } from '../../shared/service-state.js';
import { HARNESS_LOG } from '../core/service-manager.js';
import { createExecutors, type ExecutorRegistry, type ExecutorRegistryOptions } from '../executors/registry.js';
import { ensureProjectStateDir } from '../state/paths.js';
import { prepareApply, reconcileRuntime, recoverWithoutConfig } from './runtime-sync.js';
import { checkNames, requireSaved, unknownService } from './session-checks.js';
import { createConfigFile, saveConfig } from './config-io.js';
import { readDisk } from './disk-text.js';
import { watchFile } from './file-watcher.js';
import { ProjectDraft, type CheckResult } from './project-draft.js';
import { assertStarted } from './failed-start.js';
import { ProjectRuntime } from './project-runtime.js';
import { RecoveryStore } from './recovery-draft.js';
import { buildSnapshot } from './session-snapshot.js';
import type { OpenFile, ProjectClaim, SessionEvent, SessionListener, StartReport } from './session-types.js';

export { stoppedState } from './session-snapshot.js';

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
  /** Watch the open file for changes made outside the app (default true). */
  watch?: boolean;
  /** Debounce of the file watcher. */
  watchDebounceMs?: number;
}

export class ProjectSession {
  private current: OpenFile | null = null;
  private readonly listeners = new Set<SessionListener>();
  private seq = 0;
  private closing = false;
  /** Serialises everything that changes the document or the runtime's config. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ProjectSessionOptions = {}) {}

  get file(): string | null {
    return this.current?.file ?? null;
  }

  get stateDir(): string | null {
    return this.current?.stateDir ?? null;
  }

  /** The valid config of the file on disk (the running one when the file has errors). */
  get config(): ProjectConfig | null {
    return this.current?.draft.disk.loaded.config ?? this.current?.runtime?.config ?? null;
  }

  /** The draft's problems. */
  get problems(): ConfigProblem[] {
    return this.current?.draft.current.problems ?? [];
  }

  on(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  open(path: string): Promise<ProjectSnapshot> {
    return this.serial(async () => {
      const env = this.options.env ?? process.env;
      const draft = await ProjectDraft.load(path, env);
      const file = draft.file;
      if (this.current?.file === file) {
        // Re-opening the open file re-reads it, but never drops unsaved edits.
        const cur = this.current;
        if (!cur.draft.dirty) {
          const disk = await readDisk(file);
          if (disk.hash !== cur.draft.disk.hash) cur.draft.reloadFromDisk(disk.text, disk.hash, 'Reload from disk');
          cur.conflict = null;
          await this.reconcile();
        }
        this.emitProject('opened');
        return this.snapshot();
      }
      const stateDir = await ensureProjectStateDir(file, env);
      const config = draft.disk.loaded.config;
      const release = this.options.claim ? await this.options.claim(file, stateDir, config?.name ?? null) : () => undefined;
      await this.closeCurrent();
      const recovery = new RecoveryStore(stateDir, file);
      const cur: OpenFile = { file, stateDir, draft, runtime: null, recovered: Promise.resolve(), release, recovery, offer: null, conflict: null, watch: null };
      this.current = cur;
      const offer = await recovery.read();
      if (offer && offer.text !== draft.disk.text) cur.offer = offer;
      else if (offer) await recovery.clear();
      if (config) {
        await this.ensureRuntime(config);
      } else {
        // No valid config, but what an earlier run left must not linger: each executor recovers
        // against a project with no services, so nothing is adopted and leftovers whose output
        // died with their supervisor are stopped (containers stay, as their recovery says).
        const lines = await recoverWithoutConfig(() => (this.options.executors ?? createExecutors)({ ...this.options.executorOptions, env: this.options.env }), file, stateDir);
        for (const line of lines) this.emit({ type: 'log', line: systemLine(HARNESS_LOG, line) });
      }
      if (this.options.watch !== false) {
        cur.watch = await watchFile(file, () => void this.onDiskChange(cur), { debounceMs: this.options.watchDebounceMs }).catch(() => null);
      }
      this.emitProject('opened');
      return this.snapshot();
    });
  }

  async create(path: string): Promise<ProjectSnapshot> {
    await createConfigFile(path);
    return this.open(path);
  }

  /** The file's content becomes the draft (dropping unsaved edits, as one undo step). */
  reload(): Promise<ProjectSnapshot> {
    return this.change('changed', async (cur) => {
      const disk = await readDisk(cur.file);
      if (disk.text === null) throw new HarnessError('NOT_FOUND', `${cur.file} no longer exists; save to write it again`);
      cur.draft.reloadFromDisk(disk.text, disk.hash, 'Reload from disk');
      cur.conflict = null;
      await this.reconcile();
    });
  }

  edit(edits: ConfigEdit[], label?: string): Promise<ProjectSnapshot> {
    return this.change('changed', (cur) => void cur.draft.edit(edits, label));
  }

  setText(text: string, group?: string): Promise<ProjectSnapshot> {
    return this.change('changed', (cur) => void cur.draft.setText(text, 'Edit source', group));
  }

  undo(): Promise<ProjectSnapshot> {
    return this.change('changed', (cur) => void cur.draft.undo());
  }

  redo(): Promise<ProjectSnapshot> {
    return this.change('changed', (cur) => void cur.draft.redo());
  }

  /** The draft becomes the file's text again (undoable); the recovery draft is dropped. */
  revert(): Promise<ProjectSnapshot> {
    return this.change('changed', (cur) => {
      if (cur.draft.disk.text !== null) cur.draft.setText(cur.draft.disk.text, 'Revert to saved');
      cur.offer = null;
    });
  }

  /** What `edits` or `text` would make of the draft; nothing changes. */
  validate(input: { edits?: ConfigEdit[]; text?: string }): CheckResult {
    return this.require().draft.check(input);
  }

  async source(which: SourceKind = 'draft'): Promise<{ text: string | null; problems: ConfigProblem[] }> {
    const cur = this.require();
    if (which === 'draft') return { text: cur.draft.text, problems: cur.draft.current.problems };
    if (which === 'recovery') {
      const text = cur.offer?.text ?? null;
      return { text, problems: text === null ? [] : cur.draft.check({ text }).problems };
    }
    const disk = await readDisk(cur.file);
    return { text: disk.text, problems: disk.text === null ? [] : cur.draft.check({ text: disk.text }).problems };
  }

  /** Answers a conflict: the file's version wins, or the draft (maybe merged) is kept to be saved over it. */
  resolveConflict(action: 'reload' | 'keep', text?: string): Promise<ProjectSnapshot> {
    if (action === 'reload') return this.reload();
    return this.change('changed', async (cur) => {
      const disk = await readDisk(cur.file);
      cur.draft.adoptDisk(disk.text, disk.hash);
      if (text !== undefined) cur.draft.setText(text, 'Merge with the file on disk');
      cur.conflict = null;
      await this.reconcile();
    });
  }

  /** Answers the offer of an earlier session's unsaved draft. */
  resolveRecovery(action: 'restore' | 'discard'): Promise<ProjectSnapshot> {
    return this.change('changed', async (cur) => {
      const offer = cur.offer;
      cur.offer = null;
      if (action === 'restore' && offer) cur.draft.setText(offer.text, 'Restore unsaved edits');
      else await cur.recovery.clear();
    });
  }

  /** Atomic save. Saving under another path makes that the project's file (reopened there,
   * which stops the current stack: the state directory and lock follow the file). */
  save(path?: string): Promise<{ file: string }> {
    return this.serial(async () => {
      const cur = this.require();
      const target = path ?? cur.file;
      if (target === cur.file) {
        const disk = await readDisk(cur.file);
        if (disk.hash !== cur.draft.disk.hash) {
          // Someone else wrote the file since we read it: never overwrite that silently.
          cur.conflict = { at: Date.now(), missing: disk.text === null, hash: disk.hash };
          this.emitProject('changed', cur.file, 'conflict');
          throw new HarnessError(
            'CONFLICT',
            `${cur.file} changed on disk since it was loaded; not overwriting it. Reload it, keep your version (then save again), or compare the two.`,
            { reason: 'changed-on-disk' },
          );
        }
      }
      const written = await saveConfig(cur.draft.current.document, target);
      if (written === cur.file) {
        cur.draft.markSaved();
        cur.conflict = null;
        await cur.recovery.clear().catch(() => undefined);
        await this.reconcile();
        this.emitProject('saved');
      } else {
        await cur.recovery.clear().catch(() => undefined);
      }
      return { file: written };
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
    return buildSnapshot({
      file: cur.file,
      draft: cur.draft,
      runtime: cur.runtime,
      seq: this.seq,
      conflict: cur.conflict ? { at: cur.conflict.at, missing: cur.conflict.missing } : null,
      recovery: cur.offer ? { savedAt: cur.offer.savedAt, baseChanged: cur.offer.baseHash !== cur.draft.disk.hash } : null,
    });
  }

  states(): ServiceState[] {
    return this.snapshot().services.map((s) => s.state);
  }

  /** Resolves when every requested service is ready or failed. Runs the saved file's config. */
  async start(names?: string[]): Promise<StartReport> {
    if (this.closing) throw new HarnessError('UNAVAILABLE', 'the project is being closed; nothing more is started');
    const runtime = await this.serial(async () => {
      const cur = this.require();
      const saved = requireSaved(cur);
      checkNames(cur, saved, names);
      const rt = await this.ensureRuntime(saved);
      // An exited service about to be started again takes the file's config (its pending
      // automatic restart, if any, is replaced by this start).
      const exited = (names ?? rt.config.services.map((x) => x.name)).filter((n) => rt.state(n)?.status === 'exited');
      await this.prepareApply(rt, new Set(exited));
      return rt;
    });
    return runtime.manager.start(names);
  }

  async stop(names?: string[]): Promise<string[]> {
    await this.settled();
    const cur = this.require();
    if (!cur.runtime) return [];
    const known = new Set(cur.runtime.config.services.map((s) => s.name));
    for (const n of names ?? []) if (!known.has(n)) throw unknownService(cur, n);
    return cur.runtime.stop(names);
  }

  /** Restarts with the saved config: restarting a changed service applies it. */
  async restart(names: string[]): Promise<string[]> {
    const runtime = await this.serial(async () => {
      const cur = this.require();
      const saved = requireSaved(cur);
      checkNames(cur, saved, names);
      const rt = await this.ensureRuntime(saved);
      await this.prepareApply(rt, new Set(names));
      return rt;
    });
    assertStarted(await runtime.manager.restart(names));
    return names;
  }

  /** `harness rollback NAME` (see the API method): on the saved config's runtime. */
  async rollback(name: string): Promise<RollbackReport> {
    const runtime = await this.serial(async () => {
      const cur = this.require();
      const saved = requireSaved(cur);
      checkNames(cur, saved, [name]);
      return this.ensureRuntime(saved);
    });
    return runtime.rollback(name);
  }

  /** Applies the saved config to the named running services (all pending when omitted): changed
   * ones restart with it, those gone from the file stop. Resolves once they are ready or failed. */
  async apply(names?: string[]): Promise<{ restarted: string[]; stopped: string[] }> {
    const plan = await this.serial(async () => {
      const cur = this.require();
      requireSaved(cur);
      const runtime = cur.runtime;
      if (!runtime) return null;
      const saved = cur.draft.disk.loaded.config!;
      const known = new Set([...saved.services.map((s) => s.name), ...runtime.config.services.map((s) => s.name)]);
      for (const n of names ?? []) if (!known.has(n)) throw unknownService(cur, n);
      const prepared = await this.prepareApply(runtime, names ? new Set(names) : 'all');
      this.emitProject('changed');
      return { runtime, ...prepared };
    });
    if (!plan) return { restarted: [], stopped: [] };
    if (plan.restart.length > 0) {
      const report = await plan.runtime.manager.start(plan.restart);
      if (report.failed.length > 0) {
        const why = report.failed.map((f) => `${f.service}: ${f.reason}`).join('; ');
        throw new HarnessError('UNAVAILABLE', `applied, but ${report.failed.length} service(s) did not come back: ${why}`, report);
      }
    }
    return { restarted: plan.restart, stopped: plan.stopped };
  }

  /** Second Ctrl-C: SIGKILL every running process group now (the regular stop keeps waiting and
   * sees them exit), so nothing is left even when a service ignores its stop signal. */
  forceKill(): void {
    this.current?.runtime?.forceKill();
  }

  history(service?: string, limit?: number): LogLine[] {
    const known = this.current?.runtime?.config.services ?? this.config?.services;
    if (service !== undefined && known && !known.some((s) => s.name === service)) throw unknownService(this.require(), service);
    return this.current?.runtime?.logs.history(service, limit) ?? [];
  }

  /** One page of log history (`logs.page`); named services must exist in the file. */
  logPage(query: { services?: string[]; limit?: number; after?: number; until?: number }): LogPage {
    const known = this.current?.runtime?.config.services ?? this.config?.services;
    for (const name of query.services ?? []) if (known && !known.some((s) => s.name === name)) throw unknownService(this.require(), name);
    return this.current?.runtime?.logs.page(query) ?? { lines: [], next: null, until: query.until ?? 0, evicted: {} };
  }

  async topology(): Promise<TopologySnapshot> {
    return (await this.current?.runtime?.network.snapshot()) ?? { interfaces: [], services: [], edges: [] };
  }

  /** Trusts a host key that a `hostKey` event of this project showed (see the API method). */
  async trustHostKey(req: { host: string; port: number; fingerprint: string }): Promise<{ file: string; line: string }> {
    const runtime = this.require().runtime;
    if (!runtime) throw new HarnessError('NOT_FOUND', `no host key of ${req.host} port ${req.port} is waiting to be trusted (nothing was started)`);
    return runtime.trustHostKey(req);
  }

  /** Stops every service, flushes logs and releases the project. A dirty draft stays in the
   * recovery file. */
  close(): Promise<void> {
    return this.serial(() => this.closeCurrent());
  }

  private async closeCurrent(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    cur.watch?.close();
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

  /** One change of the draft: applied, recovery file updated, event emitted, snapshot returned. */
  private change(kind: ProjectEvent['kind'], fn: (cur: OpenFile) => unknown): Promise<ProjectSnapshot> {
    return this.serial(async () => {
      const cur = this.require();
      const revision = cur.draft.revision;
      await fn(cur);
      if (cur.draft.revision !== revision) await this.persistDraft(cur);
      this.emitProject(kind);
      return this.snapshot();
    });
  }

  private async persistDraft(cur: OpenFile): Promise<void> {
    try {
      if (cur.draft.dirty) await cur.recovery.write(cur.draft.text, cur.draft.disk.hash);
      else await cur.recovery.clear();
    } catch (err) {
      this.emit({ type: 'log', line: systemLine(HARNESS_LOG, `could not keep the unsaved edits in ${cur.recovery.path}: ${(err as Error).message}`) });
    }
  }

  /** The file changed on disk (the watcher's debounced report). */
  private onDiskChange(cur: OpenFile): void {
    void this.serial(async () => {
      if (this.current !== cur) return;
      const disk = await readDisk(cur.file);
      // Our own save, or nothing new.
      if (disk.hash === cur.draft.disk.hash || disk.hash === cur.conflict?.hash) return;
      if (!cur.draft.dirty && disk.text !== null) {
        cur.draft.reloadFromDisk(disk.text, disk.hash, 'Reload from disk');
        cur.conflict = null;
        await this.reconcile();
        this.emitProject('changed', cur.file, 'reloaded');
        return;
      }
      cur.conflict = { at: Date.now(), missing: disk.text === null, hash: disk.hash };
      this.emitProject('changed', cur.file, 'conflict');
    }).catch((err: Error) => {
      this.emit({ type: 'log', line: systemLine(HARNESS_LOG, `could not read ${cur.file} after it changed: ${err.message}`) });
    });
  }

  /** The runtime follows the saved file (see runtime-sync.ts); nothing restarts here. */
  private async reconcile(force: ReadonlySet<string> | 'all' = new Set()): Promise<void> {
    const cur = this.require();
    const saved = cur.draft.disk.loaded.config;
    if (saved && cur.runtime) await reconcileRuntime(cur.runtime, saved, force);
  }

  private async prepareApply(runtime: ProjectRuntime, force: ReadonlySet<string> | 'all'): Promise<{ restart: string[]; stopped: string[] }> {
    const saved = this.require().draft.disk.loaded.config;
    return saved ? prepareApply(runtime, saved, force) : { restart: [], stopped: [] };
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

  private emitProject(kind: ProjectEvent['kind'], file = this.current?.file ?? null, disk?: ProjectEvent['disk']): void {
    const event: ProjectEvent = { kind, file, problems: this.current?.draft.current.problems ?? [] };
    if (disk) event.disk = disk;
    this.emit({ type: 'project', event });
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

function systemLine(service: string, line: string): LogLine {
  return { service, stream: 'system', ts: Date.now(), line, n: 0 };
}
