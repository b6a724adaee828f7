// Page object for one service node on the graph.
import type { Locator, Page } from 'playwright-core';

export class ServiceNodeObject {
  readonly root: Locator;
  constructor(private readonly page: Page, readonly name: string) {
    this.root = page.getByTestId(`node-${name}`);
  }

  async status(): Promise<string> {
    return (await this.root.getAttribute('data-status')) ?? '';
  }

  /** Waits until the node's status is one of `statuses`; the error names what it saw. */
  async waitForStatus(statuses: string[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await this.status().catch(() => '');
      if (statuses.includes(last)) return;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`${this.name}: expected status ${statuses.join('|')} within ${timeoutMs} ms, last saw "${last}"`);
  }

  start = () => this.page.getByTestId(`node-start-${this.name}`).click();
  stop = () => this.page.getByTestId(`node-stop-${this.name}`).click();
  restart = () => this.page.getByTestId(`node-restart-${this.name}`).click();
  openLogs = () => this.page.getByTestId(`node-logs-${this.name}`).click();

  async restarts(): Promise<number> {
    return Number(((await this.page.getByTestId(`node-restarts-${this.name}`).textContent()) ?? '').replace(/\D/g, ''));
  }

  async openContextMenu(): Promise<void> {
    await this.root.click({ button: 'right' });
    await this.page.getByTestId('context-menu').waitFor();
  }
}
