// The Electron shell's part of editing: the Edit menu undoes and redoes the document, and closing
// the window with unsaved edits asks through the contract (the native dialog is answered from the
// main process here, as a user would click it).
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './fixtures/build.js';
import { ELECTRON_BIN, ELECTRON_SKIP } from './fixtures/electron.js';
import { AppPage } from './pages/app-page.js';
import { GraphEditorObject } from './pages/graph-editor.js';

const SLOW = 120_000;

describe.skipIf(!ELECTRON_BIN)(`electron: undo from the Edit menu, closing with unsaved edits asks${ELECTRON_SKIP}`, () => {
  let dir: string;
  let electron: ElectronApplication;
  let page: Page;
  let graph: GraphEditorObject;
  const file = () => join(dir, 'demo', 'services.yaml');

  beforeAll(async () => {
    ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'harness-e2e-electron-edit-'));
    await cp(join(ROOT, 'examples', 'demo'), join(dir, 'demo'), { recursive: true });
    electron = await _electron.launch({
      executablePath: ELECTRON_BIN!,
      args: [join(ROOT, 'dist', 'electron', 'main.js'), file()],
      env: { ...process.env, HARNESS_STATE_DIR: join(dir, 'state'), HARNESS_USER_DATA: join(dir, 'user-data') },
    });
    page = await electron.firstWindow();
    await new AppPage(page).waitReady();
    await page.locator('.service-node').first().waitFor({ timeout: 30_000 });
    graph = new GraphEditorObject(page);
  }, SLOW);
  afterAll(async () => {
    await electron?.close().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, SLOW);

  it('Edit > Undo and Redo act on the document', async () => {
    const before = await graph.draftText();
    await graph.dragNode('store', 0, 80);
    await graph.waitDirty(true);
    const moved = await graph.draftText();
    const click = (label: string) =>
      electron.evaluate(({ Menu }, l) => {
        const item = Menu.getApplicationMenu()?.items.find((m) => m.label === 'Edit')?.submenu?.items.find((i) => i.label === l);
        item?.click();
      }, label);
    await click('Undo');
    await graph.waitDraft(before);
    await click('Redo');
    await graph.waitDraft(moved);
  }, SLOW);

  it('closing the window with unsaved edits asks; "Cancel" keeps it open, "Save" saves and closes', async () => {
    await graph.waitDirty(true);
    // Answer the native question: first Cancel (2), then Save (0); count the questions.
    await electron.evaluate(({ dialog }) => {
      const answers = [2, 0];
      const g = globalThis as unknown as { asked: number };
      g.asked = 0;
      dialog.showMessageBox = (async () => {
        g.asked++;
        return { response: answers.shift() ?? 2, checkboxChecked: false };
      }) as unknown as typeof dialog.showMessageBox;
    });
    const asked = () => electron.evaluate(() => (globalThis as unknown as { asked: number }).asked);
    await electron.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
    for (let i = 0; i < 200 && (await asked()) < 1; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await asked()).toBe(1);
    // Cancelled: the window stays, the edits too.
    expect(await electron.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    expect(page.isClosed()).toBe(false);
    const closed = page.waitForEvent('close', { timeout: 20_000 });
    await electron.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
    await closed;
    expect(await readFile(file(), 'utf8')).toContain('ui: {position:');
  }, SLOW);
});
