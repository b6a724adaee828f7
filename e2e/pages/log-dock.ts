// Page object for the log dock and its panes. Reads what xterm rendered (its DOM rows).
import type { Page } from 'playwright-core';

export class LogDockObject {
  constructor(private readonly page: Page) {}

  pane(i: 0 | 1) {
    const root = this.page.getByTestId(`log-pane-${i}`);
    return {
      root,
      tab: () => root.getAttribute('data-tab'),
      text: async () => (await root.locator('.xterm-rows').innerText().catch(() => '')).replace(/\u00a0/g, ' '),
      waitForText: async (pattern: RegExp, timeoutMs = 30_000) => {
        const deadline = Date.now() + timeoutMs;
        let last = '';
        while (Date.now() < deadline) {
          last = (await root.locator('.xterm-rows').innerText().catch(() => '')).replace(/\u00a0/g, ' ');
          if (pattern.test(last)) return last;
          await this.page.waitForTimeout(100);
        }
        throw new Error(`log pane ${i}: ${pattern} not seen within ${timeoutMs} ms; it showed:\n${last.slice(-1500)}`);
      },
      toggleFollow: () => this.page.getByTestId(`log-follow-${i}`).click(),
    };
  }

  tab(name: string) {
    return this.page.getByTestId(`log-tab-${name}`);
  }

  split = () => this.page.getByTestId('log-split').click();
}
