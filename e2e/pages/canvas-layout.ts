// Page object for the layout around the canvas: the tool rail and the minimap, the log dock and
// the inspector with their splitters, and geometric checks (what covers a node, what a click at a
// button's centre would hit, which control has no accessible name or tooltip).
import type { Locator, Page } from 'playwright-core';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const intersects = (a: Box, b: Box): boolean => a.x < b.x + b.width && a.x + a.width > b.x && a.y < b.y + b.height && a.y + a.height > b.y;
export const inside = (a: Box, b: Box, slack = 1): boolean => a.x >= b.x - slack && a.y >= b.y - slack && a.x + a.width <= b.x + b.width + slack && a.y + a.height <= b.y + b.height + slack;

export class CanvasLayoutObject {
  constructor(private readonly page: Page) {}

  canvas = (): Locator => this.page.locator('.graph-canvas').first();
  rail = (): Locator => this.page.getByTestId('canvas-rail');
  minimap = (): Locator => this.page.locator('.react-flow__minimap');
  dock = (): Locator => this.page.getByTestId('log-dock');
  dockSplitter = (): Locator => this.page.getByRole('separator', { name: 'Resize the log dock' });
  inspectorDock = (): Locator => this.page.getByTestId('inspector-dock');
  inspectorSplitter = (): Locator => this.page.getByRole('separator', { name: 'Resize the inspector' });

  /** Waits until the viewport has stopped moving (a fit or a pan animation landed). */
  async waitStill(timeoutMs = 5_000): Promise<void> {
    const read = () => this.page.evaluate<string>("document.querySelector('.react-flow__viewport')?.getAttribute('style') ?? ''");
    const deadline = Date.now() + timeoutMs;
    let last = await read();
    let still = 0;
    while (Date.now() < deadline && still < 3) {
      await this.page.waitForTimeout(100);
      const now = await read();
      still = now === last ? still + 1 : 0;
      last = now;
    }
  }

  /** The viewport's transform (changes when the view fits or pans). */
  transform(): Promise<string> {
    return this.page.evaluate<string>("document.querySelector('.react-flow__viewport')?.style.transform ?? ''");
  }

  /** Boxes of the mounted service cards (graph or topology), by name. */
  async cardBoxes(selector = '.service-node, .topo-service'): Promise<Array<{ name: string; box: Box }>> {
    return this.page.locator(selector).evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { name: (e.getAttribute('data-testid') ?? '').replace(/^(topo-)?node-/, ''), box: { x: r.x, y: r.y, width: r.width, height: r.height } };
      }),
    );
  }

  async box(l: Locator): Promise<Box> {
    const b = await l.boundingBox();
    if (!b) throw new Error('element has no box (not visible)');
    return b;
  }

  /** Every button on every mounted card: whether a click at its centre reaches it. */
  async nodeButtonHits(selector = '.service-node button, .topo-service button'): Promise<Array<{ testid: string; hit: string; ok: boolean }>> {
    return this.page.locator(selector).evaluateAll((els) =>
      els.map((b) => {
        const r = b.getBoundingClientRect();
        const at = b.ownerDocument.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        const hit = at ? `${at.tagName.toLowerCase()}.${String(at.className).split(' ').join('.')}[${at.getAttribute('data-testid') ?? ''}]` : 'nothing';
        return { testid: b.getAttribute('data-testid') ?? '', hit, ok: at === b || (at !== null && b.contains(at)) };
      }),
    );
  }

  /** Drags a splitter by (dx, dy) with the mouse, as a user resizes a panel. */
  async drag(splitter: Locator, dx: number, dy: number): Promise<void> {
    const b = await this.box(splitter);
    const x = b.x + b.width / 2;
    const y = b.y + b.height / 2;
    await this.page.mouse.move(x, y);
    await this.page.mouse.down();
    for (let i = 1; i <= 8; i++) await this.page.mouse.move(x + (dx * i) / 8, y + (dy * i) / 8);
    await this.page.mouse.up();
  }

  /**
   * Controls (buttons, tabs, separators, inputs, selects) on screen that have no accessible name
   * or no tooltip (a `title`, on the control or the label around it). xterm's and CodeMirror's
   * own internals are left out.
   */
  async controlsMissingNameOrTooltip(): Promise<{ checked: number; missing: string[] }> {
    // Page code as a string: the e2e compiles without the DOM's types.
    return this.page.evaluate<{ checked: number; missing: string[] }>(`(() => {
      const out = [];
      let checked = 0;
      const controls = document.querySelectorAll('button, [role="button"], [role="tab"], [role="separator"], [role="menuitem"], input, select, textarea, a[href]');
      for (const el of controls) {
        if (el.closest('.xterm, .cm-editor')) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        checked++;
        const labelled = el.getAttribute('aria-labelledby');
        const byLabel = (el.labels && el.labels[0] && el.labels[0].textContent) || '';
        const ownText = el.tagName === 'INPUT' || el.tagName === 'SELECT' ? '' : (el.textContent || '');
        const name = el.getAttribute('aria-label') || (labelled ? ((document.getElementById(labelled) || {}).textContent || '') : '') || byLabel || ownText;
        const label = el.closest('label');
        const tooltip = el.getAttribute('title') || (label && label.getAttribute('title')) || '';
        if (!name.trim() || !tooltip.trim()) out.push(el.tagName.toLowerCase() + '[' + (el.getAttribute('data-testid') || el.className) + '] name="' + name.trim() + '" title="' + tooltip + '"');
      }
      return { checked, missing: out };
    })()`);
  }
}
