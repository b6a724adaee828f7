// Page object for the whole app: toolbar, graph, views, and the debug hooks main.tsx exposes.
import type { Page } from 'playwright-core';
import { LogDockObject } from './log-dock.js';
import { ServiceNodeObject } from './service-node.js';

export class AppPage {
  readonly logs: LogDockObject;
  constructor(readonly page: Page) {
    this.logs = new LogDockObject(page);
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.waitReady();
  }

  async waitReady(): Promise<void> {
    await this.page.locator('[data-testid="app"][data-ready="true"]').waitFor({ timeout: 30_000 });
  }

  /**
   * Waits for the first automatic layout (elk, in its worker) to land and the view to refit:
   * until then nodes without saved positions may still move, and a drag would miss them. A graph
   * elk does not lay out (every node placed, or too large) has nothing to wait for.
   */
  async waitLayoutSettled(after = 0, timeoutMs = 15_000): Promise<void> {
    await this.page
      .waitForFunction((n) => (globalThis as unknown as { __harness: { controller: { elkLayouts: number } } }).__harness.controller.elkLayouts > n, after, { timeout: timeoutMs })
      .catch(() => undefined);
    // The refit happens on the next animation frame.
    await this.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))');
  }

  /** How many automatic layouts have landed (see waitLayoutSettled). */
  layouts(): Promise<number> {
    return this.page.evaluate(() => (globalThis as unknown as { __harness: { controller: { elkLayouts: number } } }).__harness.controller.elkLayouts);
  }

  node(name: string): ServiceNodeObject {
    return new ServiceNodeObject(this.page, name);
  }

  async nodeNames(): Promise<string[]> {
    const ids = await this.page.locator('.service-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
    return ids.map((id) => id.replace(/^node-/, '')).sort();
  }

  startAll = () => this.page.getByTestId('start-all').click();
  stopAll = () => this.page.getByTestId('stop-all').click();
  showNetwork = () => this.page.getByTestId('view-topology').click();
  showGraph = () => this.page.getByTestId('view-graph').click();
  toggleTheme = () => this.page.getByTestId('theme-toggle').click();

  async connection(): Promise<string> {
    return (await this.page.getByTestId('connection').getAttribute('data-status')) ?? '';
  }

  async resyncCount(): Promise<number> {
    return this.page.evaluate(() => (globalThis as unknown as { __harness: { stores: { connection: { getState(): { resyncs: number } } } } }).__harness.stores.connection.getState().resyncs);
  }

  /** Drops the WebSocket as a network failure would; with `holdMs` it stays down that long. */
  async dropConnection(holdMs = 0): Promise<void> {
    await this.page.evaluate((ms) => (globalThis as unknown as { __harness: { dropConnection(holdMs: number): void } }).__harness.dropConnection(ms), holdMs);
  }

  /** The banner shown while the link to the core is down. */
  banner = () => this.page.getByTestId('connection-banner');

  /** Waits until the page's link to the core is `status` (open, closed, connecting). */
  async waitConnection(status: string, timeoutMs = 20_000): Promise<void> {
    await this.page.locator(`[data-testid="connection"][data-status="${status}"]`).waitFor({ timeout: timeoutMs });
  }

  /** A service's status as the run store holds it (the node may be out of view). */
  async storeStatus(name: string): Promise<string | undefined> {
    return this.page.evaluate((n) => (globalThis as unknown as { __harness: { stores: { run: { getState(): { states: Record<string, { status: string }> } } } } }).__harness.stores.run.getState().states[n]?.status, name);
  }

  /** Waits until the run store says `name` is one of `statuses`. */
  async waitStoreStatus(name: string, statuses: string[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: string | undefined;
    while (Date.now() < deadline) {
      last = await this.storeStatus(name);
      if (last && statuses.includes(last)) return;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`${name}: expected ${statuses.join('|')} within ${timeoutMs} ms, last saw "${last}"`);
  }

  /** Two animation frames: what a store change causes has been painted. */
  async settle(): Promise<void> {
    await this.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))');
  }

  async screenshot(name: string): Promise<void> {
    const { mkdir } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { ROOT } = await import('../fixtures/build.js');
    const dir = join(ROOT, 'test-results', 'screenshots');
    await mkdir(dir, { recursive: true });
    await this.page.screenshot({ path: join(dir, `${name}.png`) });
  }
}
