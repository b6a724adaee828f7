// Page object for editing the graph: palette drops, wiring and deleting edges, moving and deleting
// nodes, the inspector, saving. Gestures are real pointer/drag events, as a user makes them.
import type { Locator, Page } from 'playwright-core';
import { CanvasLayoutObject } from './canvas-layout.js';

export class GraphEditorObject {
  constructor(private readonly page: Page) {}

  get view(): Locator {
    return this.page.getByTestId('graph-view');
  }

  node(name: string): Locator {
    return this.page.getByTestId(`node-${name}`);
  }

  /** Drags a palette item (HTML5 drag and drop) onto the canvas at `at`, relative to the view. */
  async dropFromPalette(type: string, at: { x: number; y: number }): Promise<void> {
    await this.page.getByTestId(`palette-${type}`).dragTo(this.view, { targetPosition: at });
  }

  /** The element's centre once it stands still: a panel that just closed refits the canvas
   * 120 ms later, which would move a handle in the middle of a drag. */
  private async centre(l: Locator): Promise<{ x: number; y: number }> {
    await l.waitFor({ timeout: 10_000 });
    let last = '';
    for (let i = 0; i < 30; i++) {
      const b = (await l.boundingBox())!;
      const at = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
      const key = `${at.x.toFixed(1)},${at.y.toFixed(1)}`;
      if (key === last) return at;
      last = key;
      await this.page.waitForTimeout(200);
    }
    throw new Error('a handle kept moving for 6 s (the canvas never settled)');
  }

  /** Drags from `source`'s output handle to `target`'s input handle: target will depend on source. */
  async connect(source: string, target: string): Promise<void> {
    const from = await this.centre(this.page.locator(`[data-testid="node-${source}"] .react-flow__handle.source`));
    const to = await this.centre(this.page.locator(`[data-testid="node-${target}"] .react-flow__handle.target`));
    await this.page.mouse.move(from.x, from.y);
    await this.page.mouse.down();
    for (let i = 1; i <= 12; i++) await this.page.mouse.move(from.x + ((to.x - from.x) * i) / 12, from.y + ((to.y - from.y) * i) / 12);
    await this.page.mouse.up();
  }

  /** Moves the mouse onto the middle of an edge's path (a straight edge has no height to hover). */
  async hoverEdge(source: string, target: string): Promise<void> {
    const p = await this.page.evaluate((id) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
      const path = doc.querySelector(`[data-testid="rf__edge-${id}"] path.react-flow__edge-path`) as {
        getTotalLength(): number;
        getPointAtLength(l: number): { x: number; y: number; matrixTransform(m: unknown): { x: number; y: number } };
        getScreenCTM(): unknown;
        ownerSVGElement: { createSVGPoint(): { x: number; y: number; matrixTransform(m: unknown): { x: number; y: number } } };
      } | null;
      if (!path) return null;
      const mid = path.getPointAtLength(path.getTotalLength() / 2);
      const pt = path.ownerSVGElement.createSVGPoint();
      pt.x = mid.x;
      pt.y = mid.y;
      const s = pt.matrixTransform(path.getScreenCTM());
      return { x: s.x, y: s.y };
    }, `${source}->${target}`);
    if (!p) throw new Error(`no edge ${source}->${target} on screen`);
    await this.page.mouse.move(p.x, p.y);
  }

  edge(source: string, target: string): Locator {
    return this.page.getByTestId(`rf__edge-${source}->${target}`);
  }

  async edgeIds(): Promise<string[]> {
    const ids = await this.page.locator('.react-flow__edge').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
    return ids.map((id) => id.replace(/^rf__edge-/, '')).sort();
  }

  /** Selects the edge by clicking its middle (a bezier between side handles passes through it). */
  async selectEdge(source: string, target: string): Promise<void> {
    const p = await this.centre(this.edge(source, target));
    await this.page.mouse.click(p.x, p.y);
    await this.page.locator(`[data-testid="rf__edge-${source}->${target}"].selected`).waitFor({ timeout: 5_000 });
  }

  /** Selects a node by clicking its name (buttons on the node do other things). */
  async selectNode(name: string): Promise<void> {
    await this.node(name).locator('.service-node-name').click();
    // The store, not the DOM: a node the inspector covers may be scrolled into view or culled.
    await this.page.waitForFunction(
      (n) => (globalThis as unknown as { __harness: { stores: { graph: { getState(): { nodes: Array<{ id: string; selected?: boolean }> } } } } }).__harness.stores.graph.getState().nodes.some((x) => x.id === n && x.selected),
      name,
      { timeout: 15_000 },
    );
    // The inspector opening narrows the canvas, which refits: later clicks aim at where things
    // end up.
    await new CanvasLayoutObject(this.page).waitStill();
  }

  /** Clicks empty canvas (top middle of the view): nothing selected, the inspector closes. */
  async clickEmpty(): Promise<void> {
    const b = (await this.view.boundingBox())!;
    await this.page.mouse.click(b.x + b.width / 2, b.y + 15);
    await this.page.getByTestId('inspector').waitFor({ state: 'detached', timeout: 5_000 });
    await new CanvasLayoutObject(this.page).waitStill();
  }

  async pressDelete(): Promise<void> {
    await this.page.keyboard.press('Delete');
  }

  /** Drags a node by its name by (dx, dy) screen pixels. */
  async dragNode(name: string, dx: number, dy: number): Promise<void> {
    const handle = this.node(name).locator('.service-node-name');
    // Wait until it is still and on top (a layout or a pan may be moving the view).
    await handle.click({ trial: true, timeout: 10_000 });
    const p = await this.centre(handle);
    await this.page.mouse.move(p.x, p.y);
    await this.page.mouse.down();
    for (let i = 1; i <= 10; i++) await this.page.mouse.move(p.x + (dx * i) / 10, p.y + (dy * i) / 10);
    await this.page.mouse.up();
  }

  /**
   * The screen point at the centre of a service on the overview canvas (no element to locate):
   * its flow position through the viewport's transform. The page has no DOM types here, hence
   * the string of code.
   */
  async overviewSpot(name: string): Promise<{ x: number; y: number }> {
    return this.page.evaluate(`(() => {
      const n = window.__harness.stores.graph.getState().nodes.find((m) => m.id === ${JSON.stringify(name)});
      const m = /translate\\(([-\\d.]+)px, ([-\\d.]+)px\\) scale\\(([\\d.]+)\\)/.exec(document.querySelector('.react-flow__viewport').style.transform);
      const [tx, ty, k] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const pane = document.querySelector('.react-flow').getBoundingClientRect();
      return { x: pane.x + tx + (n.position.x + n.width / 2) * k, y: pane.y + ty + (n.position.y + n.height / 2) * k };
    })()`);
  }

  /** Ctrl+S with the graph focused, as a user saves in the browser (Electron's menu does the same). */
  async saveWithKeyboard(): Promise<void> {
    await this.view.focus();
    await this.page.keyboard.press('Control+s');
  }

  saveButton = () => this.page.getByTestId('save').click();

  /** Waits for a toast whose text matches. */
  async toast(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const t = this.page.locator('.toast').filter({ hasText: pattern }).first();
    await t.waitFor({ timeout: timeoutMs });
    return (await t.textContent()) ?? '';
  }

  async dirty(): Promise<boolean> {
    return (await this.page.locator('[data-testid="file-name"] .dirty').count()) > 0;
  }

  async waitDirty(dirty: boolean, timeoutMs = 10_000): Promise<void> {
    await this.page.locator('[data-testid="file-name"] .dirty').waitFor({ state: dirty ? 'attached' : 'detached', timeout: timeoutMs });
  }

  /** Waits until a node's problem marker counts `errors` (from the store: the node may be out of view). */
  async waitErrors(name: string, errors: number, timeoutMs = 10_000): Promise<void> {
    await this.page.waitForFunction(
      ([n, e]) => {
        const node = (globalThis as unknown as { __harness: { stores: { graph: { getState(): { nodes: Array<{ id: string; data: { summary: { errors?: number } } }> } } } } }).__harness.stores.graph.getState().nodes.find((x) => x.id === n);
        return node !== undefined && (node.data.summary.errors ?? 0) === e;
      },
      [name, errors] as const,
      { timeout: timeoutMs },
    );
  }

  /** Every dependency edge of the graph, as `dep->service` (mounted or not). */
  async edgeIdsInStore(): Promise<string[]> {
    const ids = await this.page.evaluate(() => (globalThis as unknown as { __harness: { stores: { graph: { getState(): { edges: Array<{ id: string }> } } } } }).__harness.stores.graph.getState().edges.map((e) => e.id));
    return ids.sort();
  }

  /** Every node of the graph (also those scrolled out of view, which are not mounted). */
  async nodeIds(): Promise<string[]> {
    const ids = await this.page.evaluate(() => (globalThis as unknown as { __harness: { stores: { graph: { getState(): { nodes: Array<{ id: string }> } } } } }).__harness.stores.graph.getState().nodes.map((n) => n.id));
    return ids.sort();
  }

  async waitSaved(timeoutMs = 10_000): Promise<void> {
    await this.page.locator('[data-testid="file-name"] .dirty').waitFor({ state: 'detached', timeout: timeoutMs });
  }

  /** Ctrl+Z / Ctrl+Shift+Z on the graph, as a user undoes and redoes. */
  async undo(): Promise<void> {
    await this.view.focus();
    await this.page.keyboard.press('Control+z');
  }

  async redo(): Promise<void> {
    await this.view.focus();
    await this.page.keyboard.press('Control+Shift+z');
  }

  /** The draft's text as the core holds it (what Save would write). */
  async draftText(): Promise<string> {
    return this.page.evaluate(() =>
      (globalThis as unknown as { __harness: { controller: { doc: { source(): Promise<{ text: string }> } } } }).__harness.controller.doc.source().then((s) => s.text),
    );
  }

  /** Waits until the draft's text is `text` (after an undo, a redo, an edit). */
  async waitDraft(text: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await this.draftText();
      if (last === text) return;
      await this.page.waitForTimeout(50);
    }
    throw new Error(`the draft did not become the expected text within ${timeoutMs} ms; it is:\n${last}`);
  }

  /** A service's live state from the run store (pid, status), as the node shows it. */
  async runState(name: string): Promise<{ status: string; pid?: number } | undefined> {
    return this.page.evaluate((n) => (globalThis as unknown as { __harness: { stores: { run: { getState(): { states: Record<string, { status: string; pid?: number }> } } } } }).__harness.stores.run.getState().states[n], name);
  }

  async openContextMenu(name: string): Promise<void> {
    await this.node(name).locator('.service-node-name').click({ button: 'right' });
    await this.page.getByTestId('context-menu').waitFor({ timeout: 5_000 });
  }

  menuItem = (id: string) => this.page.getByTestId(`menu-${id}`).click();

  pending = {
    bar: () => this.page.getByTestId('pending-bar'),
    apply: (name: string) => this.page.getByTestId(`apply-${name}`).click(),
    applyAll: () => this.page.getByTestId('apply-all').click(),
    item: (name: string) => this.page.getByTestId(`pending-${name}`),
    removed: (name: string) => this.page.getByTestId(`pending-removed-${name}`),
  };

  /** The inspector; fields are named by their path in the service entry (`target.args`). */
  inspector = {
    root: () => this.page.getByTestId('inspector'),
    name: () => this.page.getByTestId('inspector-name').inputValue(),
    field: (key: string) => this.page.getByTestId(`inspector-${key}`),
    set: async (key: string, value: string) => {
      await this.page.getByTestId(`inspector-${key}`).fill(value);
    },
    /** Picks an option of a select field (restart.policy, health_check.type, stop_signal). */
    choose: async (key: string, value: string) => {
      await this.page.getByTestId(`inspector-${key}`).selectOption(value);
    },
    /** The items of a list field (args, ports, volumes…). */
    list: async (key: string) => this.page.locator(`[data-testid="inspector-${key}"] .row input`).evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value)),
    /** Adds an item at the end of a list field. */
    addItem: async (key: string, value: string) => {
      const n = await this.page.locator(`[data-testid="inspector-${key}"] .row`).count();
      await this.page.getByTestId(`inspector-${key}-add`).click();
      await this.page.getByTestId(`inspector-${key}-${n}`).fill(value);
    },
    setItem: (key: string, i: number, value: string) => this.page.getByTestId(`inspector-${key}-${i}`).fill(value),
    /** The loader's problems shown at a field, once the check of the typed value came back. */
    problemsAt: async (key: string, timeoutMs = 10_000) => {
      const l = this.page.getByTestId(`problems-${key}`);
      await l.waitFor({ timeout: timeoutMs });
      return (await l.innerText()).trim();
    },
    apply: async () => {
      const b = this.page.getByTestId('inspector-apply');
      await this.page.waitForFunction((el) => !(el as unknown as { disabled: boolean }).disabled, await b.elementHandle(), { timeout: 5_000 });
      await b.click();
    },
    removeDependency: (dep: string) => this.page.getByTestId(`inspector-remove-dep-${dep}`).click(),
    addDependency: (dep: string) => this.page.getByTestId('inspector-add-dep').selectOption(dep),
  };
}
