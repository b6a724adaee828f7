// Page object for the app's modal questions (renderer/src/panels/Dialog.tsx): which one is open,
// what it says and lists, its input and its buttons.
import type { Locator, Page } from 'playwright-core';

export class DialogObject {
  constructor(private readonly page: Page) {}

  /** The open dialog with this test id (dialog-delete, dialog-conflict, dialog-new-service…). */
  root(testid: string): Locator {
    return this.page.locator(`form[role="dialog"][data-testid="${testid}"]`);
  }

  async waitFor(testid: string, timeoutMs = 10_000): Promise<Locator> {
    const root = this.root(testid);
    await root.waitFor({ timeout: timeoutMs });
    return root;
  }

  async message(testid: string): Promise<string> {
    return (await this.root(testid).locator('.dialog-message').first().innerText()).trim();
  }

  async items(testid: string): Promise<string[]> {
    return (await this.root(testid).locator('.dialog-items li').allInnerTexts()).map((t) => t.trim());
  }

  input(testid: string): Locator {
    return this.root(testid).getByTestId('dialog-input');
  }

  /** The loader's message shown at the input, once the check of the typed value came back. */
  async inputProblem(testid: string, timeoutMs = 5_000): Promise<string> {
    const p = this.root(testid).getByTestId('dialog-input-problem');
    await p.waitFor({ timeout: timeoutMs });
    return (await p.innerText()).trim();
  }

  button(testid: string, value: string): Locator {
    return this.root(testid).getByTestId(`dialog-button-${value}`);
  }

  async press(testid: string, value: string): Promise<void> {
    const b = this.button(testid, value);
    // A button waiting for the input's check is disabled until it passes.
    await this.page.waitForFunction((el) => !(el as unknown as { disabled: boolean }).disabled, await b.elementHandle(), { timeout: 5_000 });
    await b.click();
    await this.root(testid).waitFor({ state: 'detached', timeout: 5_000 });
  }
}
