// The renderer's side effects: every call to the core and every event from it goes through here.
// Components call these actions; stores only hold state.
import type { ApiClient } from '../../../shared/api-client';
import type { ConfigEdit, ProjectSnapshot, RawService } from '../../../shared/api';
import { HarnessError } from '../../../shared/errors';
import type { HostKeyEvent } from '../../../shared/events';
import type { ServiceState } from '../../../shared/service-state';
import type { GraphModel, Position } from '../../../shared/graph/graph-model';
import { serviceViews, viewsToGraph } from '../../../shared/graph/service-views';
import { layoutGraph } from '../graph/layout/elk-layout';
import { layeredLayout } from '../graph/layout/layered-layout';
import { ELK_AUTO_MAX_NODES, NODE_HEIGHT, NODE_WIDTH } from '../graph/scale';
import type { TerminalRegistry } from '../logs/terminal-registry';
import type { Stores } from '../stores/stores';
import { DocumentActions } from './document-actions';
import { FrameBatch } from './frame-batch';
import { NetworkActions } from './network-actions';

type StatusEvent = { seq: number; state: ServiceState };

export interface ControllerOptions {
  /** Path of the bundled demo, when the host knows it. */
  demoPath: string | null;
}

export class AppController {
  private resyncing: Promise<void> | null = null;
  private resyncAgain = false;
  private readonly offs: Array<() => void> = [];
  /** Duration of the last quick layered layout and of the last elk layout (benches read them). */
  lastLayoutMs = 0;
  lastElkMs = 0;
  /** elk layouts landed so far (e2e specs wait for one before dragging what it moves). */
  elkLayouts = 0;
  /** Status events arrive in bursts (a stack starting, a flapping service): one store update per frame. */
  private readonly statusBatch = new FrameBatch<StatusEvent>((events) => {
    if (this.stores.run.getState().applyStatuses(events) === 'gap') void this.resync();
    // A service that started or stopped may have a new address (a container's IP).
    this.network.soon();
  });

  /** Editing the document: edits, undo, save, conflicts, recovery, rename, delete, apply. */
  readonly doc: DocumentActions;
  /** The topology (locations, resolved addresses) for the topology view and the graph's edges. */
  readonly network: NetworkActions;

  constructor(
    readonly client: ApiClient,
    readonly stores: Stores,
    readonly terminals: TerminalRegistry,
    readonly options: ControllerOptions,
  ) {
    this.doc = new DocumentActions(this);
    this.network = new NetworkActions(client, stores);
  }

  attach(): void {
    const { run, ui } = this.stores;
    this.offs.push(
      this.client.on('status', (e) => this.statusBatch.push(e)),
      this.client.on('health', (e) => run.getState().applyHealth(e.service, e.result)),
      this.client.on('logs', (batch) => this.terminals.push(batch)),
      this.client.on('progress', (p) => {
        if (p.task === 'transfer' && p.total) run.getState().applyTransfer(p.service, p.current ?? 0, p.total, p.done === true);
        else if (p.task === 'deploy' && (p.done || p.error)) run.getState().applyTransfer(p.service, 0, 0, true);
        if (!p.error) return;
        // The whole story goes to the Problems panel (with a link to the log); the toast says
        // one line and where to look.
        run.getState().setProgressFailure(p.service, { task: p.task, message: p.error, at: Date.now() });
        ui.getState().toast(`${p.service}: ${p.task} failed (see Problems)`);
      }),
      this.client.on('project', (e) => {
        if (e.disk === 'reloaded') ui.getState().toast(`${baseName(e.file)} changed on disk: reloaded`, 'info');
        void this.resync();
      }),
      this.client.on('hostKey', (e) => ui.getState().setHostKeyPrompt(e)),
      ui.subscribe((s, prev) => {
        if (s.view === 'topology' && prev.view !== 'topology') void this.network.refresh();
      }),
    );
  }

  detach(): void {
    this.offs.splice(0).forEach((off) => off());
    this.statusBatch.dispose();
    this.network.dispose();
  }

  /**
   * Fetches a snapshot and replaces the view's state with it. Coalesces concurrent requests.
   * `prefetched` is a snapshot already requested (at page start, before the app loaded); if it
   * failed, a fresh one is fetched instead.
   */
  resync(prefetched?: Promise<ProjectSnapshot>): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncing = (async () => {
      try {
        let first = prefetched?.catch(() => this.client.invoke('project.snapshot', {}));
        do {
          this.resyncAgain = false;
          const snap = await (first ?? this.client.invoke('project.snapshot', {}));
          first = undefined;
          performance.mark('harness:snapshot-received');
          await this.applySnapshot(snap);
          performance.mark('harness:snapshot-applied');
        } while (this.resyncAgain);
      } catch (err) {
        this.report(err);
      } finally {
        this.resyncing = null;
      }
    })();
    return this.resyncing;
  }

  /** Each service as written in the file, from the last snapshot (the inspector edits these). */
  private raws = new Map<string, RawService>();
  private readonly rawListeners = new Set<() => void>();

  /** The service's raw (un-interpolated) form; the same object until a snapshot changes it. */
  rawService(name: string): RawService | undefined {
    return this.raws.get(name);
  }

  onRawChange(listener: () => void): () => void {
    this.rawListeners.add(listener);
    return () => void this.rawListeners.delete(listener);
  }

  async applySnapshot(snap: ProjectSnapshot): Promise<void> {
    const { graph, run, connection } = this.stores;
    // Before the graph store changes, so the inspector re-rendering for a new config reads the
    // matching raw form.
    const views = serviceViews(snap);
    this.raws = new Map(views.flatMap((v) => (v.raw ? [[v.name, v.raw] as const] : [])));
    this.rawListeners.forEach((l) => l());
    const model = viewsToGraph(views);
    const positions = this.placeNewNodes(model);
    graph.getState().setModel(
      {
        file: snap.file,
        project: snap.project,
        dirty: snap.dirty,
        problems: snap.problems,
        configs: snap.services.map((s) => s.config),
        views,
        history: snap.history,
        pendingRemoval: snap.pendingRemoval,
        conflict: snap.conflict,
        recovery: snap.recovery,
        revision: snap.revision,
        savedInvalid: snap.savedInvalid,
      },
      model,
      positions,
    );
    const states = [...snap.services.map((s) => s.state), ...(snap.invalid ?? []).map((s) => s.state), ...(snap.pendingRemoval ?? []).map((p) => p.state)];
    run.getState().reset(states, snap.seq);
    this.terminals.setServices(states.map((s) => s.name));
    connection.getState().markSynced();
    this.doc.onSnapshot(snap);
    void this.network.refresh();
    if (positions.size > 0) {
      this.layoutListeners.forEach((l) => l());
      // elk's placement is nicer but takes seconds at hundreds of nodes: automatic only when small.
      if (model.nodes.length <= ELK_AUTO_MAX_NODES) void this.elkLayout(model, new Set(positions.keys()));
    }
  }

  /**
   * Nodes without a saved position (and not already on screen) get one from the quick layered
   * layout, synchronously: the first render never waits for elk. When other nodes have saved
   * positions, the new block goes below them rather than on top of them.
   */
  private placeNewNodes(model: GraphModel): Map<string, Position> {
    const onScreen = new Set(this.stores.graph.getState().nodes.map((n) => n.id));
    const missing = model.nodes.filter((n) => n.position === null && !onScreen.has(n.id));
    if (missing.length === 0) return new Map();
    const t0 = performance.now();
    const deps = new Map(missing.map((n) => [n.id, n.summary.dependencies]));
    const laid = layeredLayout(missing.map((n) => n.id), deps, { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT });
    const inModel = new Set(model.nodes.map((m) => m.id));
    const placed = this.stores.graph.getState().nodes.filter((n) => inModel.has(n.id)).map((n) => n.position);
    for (const m of model.nodes) if (m.position) placed.push(m.position);
    if (placed.length > 0) {
      const minX = Math.min(...placed.map((p) => p.x));
      const maxY = Math.max(...placed.map((p) => p.y)) + NODE_HEIGHT + 80;
      for (const [id, p] of laid) laid.set(id, { x: p.x + minX, y: p.y + maxY });
    }
    this.lastLayoutMs = Math.max(0.01, performance.now() - t0);
    return laid;
  }

  /** elk's layered layout in its worker; moves only `ids` (all nodes when omitted). */
  async elkLayout(model?: GraphModel, ids?: Set<string>): Promise<void> {
    try {
      const { nodes, edges } = this.stores.graph.getState();
      const result = await layoutGraph(model ? model.nodes.map((n) => n.id) : nodes.map((n) => n.id), model ? model.edges : edges);
      this.lastElkMs = result.ms;
      this.elkLayouts++;
      if (ids) for (const id of [...result.positions.keys()]) if (!ids.has(id)) result.positions.delete(id);
      this.stores.graph.getState().setPositions(result.positions);
      this.layoutListeners.forEach((l) => l());
    } catch (err) {
      this.report(err);
    }
  }

  /** The graph view's viewport, while it is mounted (benches and e2e drive it through this). */
  viewport: { setViewport(v: { x: number; y: number; zoom: number }): unknown } | null = null;

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

  /** Trusts exactly the key the prompt showed, then starts again what met it. */
  async trustHost(prompt: HostKeyEvent): Promise<void> {
    this.stores.ui.getState().setHostKeyPrompt(null);
    const r = await this.run(this.client.invoke('hosts.trust', { host: prompt.host, port: prompt.port, fingerprint: prompt.fingerprint }));
    if (!r) return;
    const ui = this.stores.ui.getState();
    // The start's refusal of the unknown key is answered now.
    for (const t of ui.toasts) if (t.message.includes(`The host key of ${prompt.host}`)) ui.dismissToast(t.id);
    ui.toast(`Trusted ${prompt.host}: added to ${r.file}`, 'info');
    await this.start(prompt.services);
  }

  /** One call is one undo step. */
  edit(edits: ConfigEdit[], label?: string): Promise<boolean> {
    return this.doc.edit(edits, label);
  }

  save(path?: string): Promise<boolean> {
    return this.doc.save(path);
  }

  open(path: string): Promise<void> {
    return this.doc.open(path);
  }

  create(path: string): Promise<void> {
    return this.doc.create(path);
  }

  /** Runs a call, reporting a failure as a toast; undefined when it failed. */
  attempt<T>(what: Promise<T>): Promise<T | undefined> {
    return this.run(what);
  }

  openDemo(): Promise<void> {
    if (!this.options.demoPath) {
      this.report(new Error('The demo is not bundled with this build'));
      return Promise.resolve();
    }
    return this.open(this.options.demoPath);
  }
}

function baseName(file: string | null): string {
  return (file ?? 'The file').split(/[\\/]/).pop() ?? 'The file';
}
