// Page object for editing the graph: palette drops, wiring and deleting edges, moving and deleting
// nodes, the inspector, saving. Gestures are real pointer/drag events, as a user makes them.
import type { Locator, Page } from 'playwright-core';

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

  private async centre(l: Locator): Promise<{ x: number; y: number }> {
    await l.waitFor({ timeout: 10_000 });
    const b = (await l.boundingBox())!;
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
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
    await this.page.locator(`.react-flow__node.selected [data-testid="node-${name}"]`).waitFor({ timeout: 5_000 });
  }

  async pressDelete(): Promise<void> {
    await this.page.keyboard.press('Delete');
  }

  /** Drags a node by its name by (dx, dy) screen pixels. */
  async dragNode(name: string, dx: number, dy: number): Promise<void> {
    const p = await this.centre(this.node(name).locator('.service-node-name'));
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

  async waitSaved(timeoutMs = 10_000): Promise<void> {
    await this.page.locator('[data-testid="file-name"] .dirty').waitFor({ state: 'detached', timeout: timeoutMs });
  }

  inspector = {
    root: () => this.page.getByTestId('inspector'),
    name: () => this.page.getByTestId('inspector-name').textContent(),
    field: (key: string) => this.page.getByTestId(`inspector-${key}`),
    set: async (key: string, value: string) => {
      await this.page.getByTestId(`inspector-${key}`).fill(value);
    },
    /** Picks an option of a select field (the restart policy). */
    choose: async (key: string, value: string) => {
      await this.page.getByTestId(`inspector-${key}`).selectOption(value);
    },
    apply: () => this.page.getByTestId('inspector-apply').click(),
    problems: () => this.page.getByTestId('inspector-problems'),
    removeDependency: (dep: string) => this.page.getByTestId(`inspector-remove-dep-${dep}`).click(),
  };
}
