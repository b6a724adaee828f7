// Page object for the Problems panel (config and runtime problems, messages) and the toasts.
import type { Locator, Page } from 'playwright-core';

export class ProblemsPanelObject {
  constructor(private readonly page: Page) {}

  root = (): Locator => this.page.getByTestId('problems-panel');

  async open(): Promise<void> {
    if ((await this.root().count()) === 0) await this.page.getByTestId('problems-toggle').click();
    await this.root().waitFor({ timeout: 5_000 });
  }

  /** The runtime problem of `service` (its first, when it has several). */
  runtime(service: string): Locator {
    return this.root().getByTestId(`problem-${service}`).first();
  }

  async waitRuntime(service: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = (await this.root().getByTestId(`problem-${service}`).allInnerTexts()).join('\n');
      if (pattern.test(last)) return last;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`no runtime problem of ${service} matching ${pattern} within ${timeoutMs} ms; saw:\n${last}`);
  }

  openLog(service: string): Promise<void> {
    return this.root().getByRole('button', { name: `Open the log of ${service}` }).first().click();
  }

  toasts = (): Locator => this.page.getByTestId('toast');
}
