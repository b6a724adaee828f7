// The editing UI at a small (1024x700) and a large (1920x1080) window: every new panel and dialog
// fits the window (nothing that must be clicked is cut off, the toolbar does not overflow), and a
// screenshot of each is written to test-results/screenshots/ (docs/screenshots/ holds the ones
// the docs show).
import { readFile, writeFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './fixtures/build.js';
import { CHROMIUM_SKIP, HAS_CHROMIUM, launchChromium, type BrowserHandle } from './fixtures/chromium.js';
import { serveApp, type ServedApp } from './fixtures/serve-app.js';
import { AppPage } from './pages/app-page.js';
import { DialogObject } from './pages/dialog.js';
import { GraphEditorObject } from './pages/graph-editor.js';
import { SourcePanelObject } from './pages/source-panel.js';

const SLOW = 180_000;
const SIZES = [
  { name: 'small', width: 1024, height: 700 },
  { name: 'large', width: 1920, height: 1080 },
];

async function insideWindow(page: Page, l: Locator, what: string): Promise<void> {
  const b = await l.boundingBox();
  const v = page.viewportSize()!;
  expect(b, what).not.toBeNull();
  expect(b!.x >= 0 && b!.y >= 0 && b!.x + b!.width <= v.width + 1 && b!.y + b!.height <= v.height + 1, `${what} inside the window: ${JSON.stringify(b)}`).toBe(true);
}

for (const size of SIZES) {
  describe.skipIf(!HAS_CHROMIUM)(`browser at ${size.width}x${size.height}: the editing UI fits${CHROMIUM_SKIP}`, () => {
    let browser: BrowserHandle;
    let served: ServedApp;
    let next: ServedApp | undefined;
    let page: Page;
    let app: AppPage;
    let graph: GraphEditorObject;
    let dialog: DialogObject;
    let source: SourcePanelObject;
    const shot = (n: string) => app.screenshot(`${size.name}-${n}`);

    beforeAll(async () => {
      ensureBuilt();
      served = await serveApp();
      browser = await launchChromium({ width: size.width, height: size.height });
      page = await browser.context.newPage();
      app = new AppPage(page);
      graph = new GraphEditorObject(page);
      dialog = new DialogObject(page);
      source = new SourcePanelObject(page);
      await app.open(served.url);
      await page.locator('.service-node').first().waitFor({ timeout: 30_000 });
      await app.waitLayoutSettled();
    }, SLOW);
    afterAll(async () => {
      await browser?.close();
      await next?.stop();
      await served?.stop();
    }, SLOW);

    it('toolbar, File menu and the new-service dialog', async () => {
      const overflow = await page.locator('.toolbar').evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await insideWindow(page, page.getByTestId('connection'), 'connection status');
      await page.getByTestId('file-menu').click();
      await insideWindow(page, page.getByTestId('file-menu-items'), 'File menu');
      await shot('file-menu');
      await page.keyboard.press('Escape');
      const box = (await graph.view.boundingBox())!;
      await graph.dropFromPalette('Docker', { x: 170, y: box.height - 120 });
      await dialog.waitFor('dialog-new-service');
      await dialog.input('dialog-new-service').fill('api');
      await dialog.inputProblem('dialog-new-service');
      await insideWindow(page, dialog.root('dialog-new-service'), 'new-service dialog');
      await shot('new-service-dialog');
      await dialog.input('dialog-new-service').fill('cache');
      await dialog.press('dialog-new-service', 'add');
      await graph.node('cache').waitFor({ timeout: 10_000 });
    }, SLOW);

    it('the inspector, with the loader problem at its field', async () => {
      await graph.selectNode('cache');
      expect(await graph.inspector.problemsAt('target.image')).toBe('must not be empty');
      await insideWindow(page, page.getByTestId('inspector-apply'), 'inspector Apply');
      await shot('inspector-docker');
      await graph.inspector.set('target.image', 'redis:7');
      await graph.inspector.addItem('target.ports', '6379');
      await graph.inspector.choose('health_check.type', 'tcp');
      await graph.inspector.apply();
      await graph.waitErrors('cache', 0);
      await graph.selectNode('api');
      await graph.inspector.root().waitFor();
      await shot('inspector-process');
    }, SLOW);

    it('the source panel with problems inline', async () => {
      const text = await graph.draftText();
      await source.open();
      await source.replaceText(text.replace('binary: node            # looked up on PATH', 'binary: ""              # looked up on PATH').replace('restart: on-failure', 'restart: sometimes'));
      await source.waitStatus(/^2 problems$/);
      await insideWindow(page, source.root(), 'source panel');
      await shot('source-panel');
      await source.replaceText(text);
      await source.waitStatus(/^no problems$/);
      await page.getByTestId('source-close').click();
    }, SLOW);

    it('the delete confirmation', async () => {
      await graph.selectNode('api');
      await graph.pressDelete();
      await dialog.waitFor('dialog-delete');
      await insideWindow(page, dialog.root('dialog-delete'), 'delete dialog');
      await shot('delete-dialog');
      await dialog.press('dialog-delete', 'cancel');
    }, SLOW);

    it('saved changes waiting to be applied', async () => {
      await graph.clickEmpty();
      await app.startAll();
      for (const n of ['store', 'api', 'web', 'worker']) await app.node(n).waitForStatus(['healthy'], 60_000);
      await graph.selectNode('worker');
      await graph.inspector.addItem('target.args', '--slow');
      await graph.inspector.apply();
      await page.locator('[data-testid="file-name"] .dirty').waitFor();
      await graph.saveWithKeyboard();
      await graph.waitSaved();
      await page.locator('[data-testid="node-worker"][data-changed="true"]').waitFor({ timeout: 10_000 });
      await insideWindow(page, page.getByTestId('apply-all'), 'Apply all');
      await graph.clickEmpty();
      await shot('pending-changes');
    }, SLOW);

    it('a change on disk: the question and the compare view', async () => {
      await graph.dragNode('api', 0, 60);
      await page.locator('[data-testid="file-name"] .dirty').waitFor();
      const text = await readFile(served.file!, 'utf8');
      await writeFile(served.file!, text.replace('name: demo', 'name: demo   # changed by a colleague'));
      await dialog.waitFor('dialog-conflict', 15_000);
      await insideWindow(page, dialog.root('dialog-conflict'), 'conflict dialog');
      // The toolbar, with its "changed on disk" chip, still fits.
      expect(await page.locator('.toolbar').evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
      await insideWindow(page, page.getByTestId('connection'), 'connection status');
      await shot('conflict-dialog');
      await dialog.press('dialog-conflict', 'compare');
      await page.locator('[data-testid="merge-view"] .cm-mergeView').waitFor({ timeout: 15_000 });
      await insideWindow(page, page.getByTestId('merge-keep'), 'compare view buttons');
      await shot('compare-view');
      await page.getByTestId('merge-cancel').click();
    }, SLOW);

    it('unsaved changes offered back by the next server', async () => {
      await page.locator('[data-testid="file-name"] .dirty').waitFor();
      await page.close();
      // `harness down`, Ctrl-C, a closed terminal: the server ends with the draft unsaved.
      served.child.kill('SIGTERM');
      await new Promise((r) => served.child.once('exit', r));
      next = await serveApp({ dir: served.dir });
      page = await browser.context.newPage();
      app = new AppPage(page);
      dialog = new DialogObject(page);
      await app.open(next.url);
      await dialog.waitFor('dialog-recovery', 15_000);
      await insideWindow(page, dialog.root('dialog-recovery'), 'recovery dialog');
      await shot('recovery-dialog');
      await dialog.press('dialog-recovery', 'discard');
    }, SLOW);
  });
}
