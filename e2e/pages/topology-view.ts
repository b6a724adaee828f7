// Page object for the topology view: its location groups with their headers, the service cards in
// them, and the address labels of the edges; plus the topology as the page's network store holds it.
import type { Locator, Page } from 'playwright-core';

export interface EdgeLabelInfo {
  id: string;
  /** All of the label's text. */
  text: string;
  /** The address:port it shows. */
  address: string;
  /** The short reason under it (an address that may not work), or ''. */
  reason: string;
  warning: boolean;
  tunnel: boolean;
  title: string;
}

export class TopologyViewObject {
  constructor(private readonly page: Page) {}

  root = (): Locator => this.page.getByTestId('topology-view');

  async open(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Topology' }).click();
    await this.root().waitFor({ timeout: 10_000 });
    await this.page.locator('[data-testid="topology-view"] .location-group').first().waitFor({ timeout: 15_000 });
  }

  group(id: string): Locator {
    return this.page.getByTestId(`group-${id}`);
  }

  async groupIds(): Promise<string[]> {
    const ids = await this.page.locator('.location-group').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
    return ids.map((id) => id.replace(/^group-/, '')).sort();
  }

  async groupHeader(id: string): Promise<string> {
    return (await this.page.getByTestId(`group-head-${id}`).innerText()).replace(/\s+/g, ' ').trim();
  }

  card(name: string): Locator {
    return this.page.getByTestId(`topo-node-${name}`);
  }

  /** The group whose box holds the card on screen. */
  async groupOf(name: string): Promise<string> {
    return this.page.evaluate((n) => {
      type El = { getBoundingClientRect(): { x: number; y: number; right: number; bottom: number }; getAttribute(a: string): string | null };
      const doc = (globalThis as unknown as { document: { querySelector(s: string): El | null; querySelectorAll(s: string): Iterable<El> } }).document;
      const card = doc.querySelector(`[data-testid="topo-node-${n}"]`)?.getBoundingClientRect();
      if (!card) return '';
      for (const g of doc.querySelectorAll('.location-group')) {
        const r = g.getBoundingClientRect();
        if (card.x >= r.x && card.y >= r.y && card.right <= r.right && card.bottom <= r.bottom) return (g.getAttribute('data-testid') ?? '').replace(/^group-/, '');
      }
      return '';
    }, name);
  }

  async edgeLabels(): Promise<Map<string, EdgeLabelInfo>> {
    const list = await this.page.locator('.edge-label').evaluateAll((els) =>
      els.map((e) => ({
        id: (e.getAttribute('data-testid') ?? '').replace(/^edge-label-/, ''),
        text: (e.textContent ?? '').trim(),
        address: (e.querySelector('.edge-at')?.textContent ?? '').trim(),
        reason: (e.querySelector('.edge-reason')?.textContent ?? '').trim(),
        warning: e.getAttribute('data-warning') === 'true',
        tunnel: e.getAttribute('data-tunnel') === 'true',
        title: e.getAttribute('title') ?? '',
      })),
    );
    return new Map(list.map((l) => [l.id, l]));
  }

  /** The resolved edges as the core answered `network.topology` (the page's network store). */
  async storeEdges(): Promise<Array<{ from: string; to: string; address: string; port?: number; warning?: string; note?: string }>> {
    return this.page.evaluate(() => (globalThis as unknown as { __harness: { stores: { network: { getState(): { topology: { edges: [] } | null } } } } }).__harness.stores.network.getState().topology?.edges ?? []);
  }

  /** Waits until the network store's topology satisfies `check` (a string of code over `t`). */
  async waitTopology(check: string, timeoutMs = 30_000): Promise<void> {
    await this.page.waitForFunction(`(() => { const t = window.__harness.stores.network.getState().topology; return !!t && (${check}); })()`, null, { timeout: timeoutMs });
  }
}
