// Page object for the YAML source panel (CodeMirror): open it, read its status and inline
// problems, and replace its text as a user would (select all, then type or paste).
import type { Page } from 'playwright-core';

export class SourcePanelObject {
  constructor(private readonly page: Page) {}

  root = () => this.page.getByTestId('source-panel');

  async open(): Promise<void> {
    if ((await this.root().count()) === 0) await this.page.getByTestId('source-toggle').click();
    await this.page.locator('[data-testid="source-panel"] .cm-content').waitFor({ timeout: 15_000 });
    await this.page.locator('[data-testid="source-status"]:not([data-status="loading"])').waitFor({ timeout: 15_000 });
  }

  async text(): Promise<string> {
    return this.page.locator('[data-testid="source-panel"] .cm-content').evaluate((el) => {
      const lines = [...el.querySelectorAll('.cm-line')].map((l) => l.textContent ?? '');
      return lines.join('\n');
    });
  }

  status = async () => (await this.page.getByTestId('source-status').innerText()).trim();

  async waitStatus(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const status = await this.page.getByTestId('source-status').getAttribute('data-status');
      last = await this.status();
      if (status === 'synced' || status === 'syntax') {
        if (pattern.test(last)) return last;
      }
      await this.page.waitForTimeout(100);
    }
    throw new Error(`source panel status ${pattern} not seen within ${timeoutMs} ms; last "${last}"`);
  }

  /** Error markers CodeMirror draws in the text (one per problem in view). */
  errorMarks = () => this.page.locator('[data-testid="source-panel"] .cm-lintRange-error').count();

  /** Selects everything in the editor and types `text` over it (inserted as one paste). */
  async replaceText(text: string): Promise<void> {
    await this.page.locator('[data-testid="source-panel"] .cm-content').click();
    await this.page.keyboard.press('Control+a');
    await this.page.keyboard.insertText(text);
  }
}
