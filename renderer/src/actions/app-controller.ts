// The renderer's side effects: every call to the core and every event from it goes through here.
// Components call these actions; stores only hold state.
import type { ApiClient } from '../../../shared/api-client';
import type { ConfigEdit, ProjectSnapshot } from '../../../shared/api';
import { HarnessError } from '../../../shared/errors';
import { configToGraph } from '../../../shared/graph';
import { layoutGraph } from '../graph/layout/elk-layout';
import type { TerminalRegistry } from '../logs/terminal-registry';
import type { Stores } from '../stores/stores';

export interface ControllerOptions {
  /** Path of the bundled demo, when the host knows it. */
  demoPath: string | null;
}

export class AppController {
  private resyncing: Promise<void> | null = null;
  private resyncAgain = false;
  private readonly offs: Array<() => void> = [];
  /** Last auto-layout duration, for the status bar and the benches. */
  lastLayoutMs = 0;

  constructor(
    readonly client: ApiClient,
    readonly stores: Stores,
    readonly terminals: TerminalRegistry,
    readonly options: ControllerOptions,
  ) {}

  attach(): void {
    const { run, ui } = this.stores;
    this.offs.push(
      this.client.on('status', (e) => {
        if (run.getState().applyStatus(e.seq, e.state) === 'gap') void this.resync();
      }),
      this.client.on('health', (e) => run.getState().applyHealth(e.service, e.result)),
      this.client.on('logs', (batch) => this.terminals.push(batch)),
      this.client.on('progress', (p) => {
        if (p.error) ui.getState().toast(`${p.service}: ${p.task} failed: ${p.error}`);
      }),
      this.client.on('project', () => void this.resync()),
    );
  }

  detach(): void {
    this.offs.splice(0).forEach((off) => off());
  }

  /** Fetches a snapshot and replaces the view's state with it. Coalesces concurrent requests. */
  resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncing = (async () => {
      try {
        do {
          this.resyncAgain = false;
          const snap = await this.client.invoke('project.snapshot', {});
          await this.applySnapshot(snap);
        } while (this.resyncAgain);
      } catch (err) {
        this.report(err);
      } finally {
        this.resyncing = null;
      }
    })();
    return this.resyncing;
  }

  async applySnapshot(snap: ProjectSnapshot): Promise<void> {
    const { graph, run, connection } = this.stores;
    const model = configToGraph(snap.services.map((s) => s.config));
    // Nodes without saved positions first appear in a grid (first render never waits for the
    // layout); the elk layout, computed in a worker, then moves them.
    const positions = new Map<string, { x: number; y: number }>();
    const missing = model.nodes.filter((n) => n.position === null && !graph.getState().nodes.some((o) => o.id === n.id));
    missing.forEach((n, i) => positions.set(n.id, { x: (i % 8) * 290, y: Math.floor(i / 8) * 170 }));
    if (missing.length > 0) void this.autoLayout(model);
    graph.getState().setModel({ file: snap.file, project: snap.project, dirty: snap.dirty, problems: snap.problems }, model, positions);
    run.getState().reset(snap.services.map((s) => s.state), snap.seq);
    this.terminals.setServices(snap.services.map((s) => s.config.name));
    connection.getState().markSynced();
  }

  private async autoLayout(model: ReturnType<typeof configToGraph>): Promise<void> {
    try {
      const result = await layoutGraph(model.nodes.map((n) => n.id), model.edges);
      this.lastLayoutMs = result.ms;
      // Saved positions win; the layout only places the others.
      const saved = new Set(model.nodes.filter((n) => n.position !== null).map((n) => n.id));
      for (const id of saved) result.positions.delete(id);
      this.stores.graph.getState().setPositions(result.positions);
      this.layoutListeners.forEach((l) => l());
    } catch (err) {
      this.report(err);
    }
  }

  private readonly layoutListeners = new Set<() => void>();
  /** The graph view refits when a layout lands. */
  onLayout(listener: () => void): () => void {
    this.layoutListeners.add(listener);
    return () => this.layoutListeners.delete(listener);
  }

  /** After a reconnect: state and logs both come again from the core. */
  async recover(): Promise<void> {
    await this.resync();
    this.terminals.resync();
  }

  private async run<T>(what: Promise<T>): Promise<T | undefined> {
    try {
      return await what;
    } catch (err) {
      this.report(err);
      return undefined;
    }
  }

  report(err: unknown): void {
    const message = err instanceof HarnessError || err instanceof Error ? err.message : String(err);
    this.stores.ui.getState().toast(message);
  }

  start(services?: string[]): Promise<unknown> {
    return this.run(this.client.invoke('services.start', services ? { services } : {}));
  }

  stop(services?: string[]): Promise<unknown> {
    return this.run(this.client.invoke('services.stop', services ? { services } : {}));
  }

  restart(services: string[]): Promise<unknown> {
    return this.run(this.client.invoke('services.restart', { services }));
  }

  async edit(edits: ConfigEdit[]): Promise<void> {
    if (edits.length === 0) return;
    const snap = await this.run(this.client.invoke('project.edit', { edits }));
    if (snap) await this.applySnapshot(snap);
  }

  async save(path?: string): Promise<void> {
    const r = await this.run(this.client.invoke('project.save', path ? { path } : {}));
    if (r) {
      this.stores.ui.getState().toast(`Saved ${r.file}`, 'info');
      await this.resync();
    }
  }

  async open(path: string): Promise<void> {
    const snap = await this.run(this.client.invoke('project.open', { path }));
    if (snap) {
      this.terminals.resync();
      await this.applySnapshot(snap);
    }
  }

  async create(path: string): Promise<void> {
    const snap = await this.run(this.client.invoke('project.create', { path }));
    if (snap) await this.applySnapshot(snap);
  }

  openDemo(): Promise<void> {
    if (!this.options.demoPath) {
      this.report(new Error('The demo is not bundled with this build'));
      return Promise.resolve();
    }
    return this.open(this.options.demoPath);
  }
}
