// A large graph (400 services) keeps its features on the cheap rendering path: the overview
// canvas when zoomed out, culled cards when zoomed in, edges as one path, the inspector for
// removing a dependency (edges are not clickable at this size), and a real edit of the file.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './fixtures/build.js';
import { CHROMIUM_SKIP, HAS_CHROMIUM, launchChromium, type BrowserHandle } from './fixtures/chromium.js';
import { serveApp, type ServedApp } from './fixtures/serve-app.js';
import { AppPage } from './pages/app-page.js';
import { CanvasLayoutObject } from './pages/canvas-layout.js';
import { GraphEditorObject } from './pages/graph-editor.js';

const SLOW = 120_000;
const COUNT = 400;

/** svc-i depends on svc-floor(i/2): a tree, so every service but the first has one dependency. */
async function writeLargeFile(dir: string): Promise<string> {
  const lines = ['# A generated stack for the large-graph spec.', 'name: large', 'services:'];
  for (let i = 0; i < COUNT; i++) {
    lines.push(`  - name: svc-${i}`, '    target: { type: Process, binary: node, args: ["-e", "0"] }');
    lines.push(`    dependencies: [${i === 0 ? '' : `svc-${Math.floor(i / 2)}`}]`);
  }
  const file = join(dir, 'services.yaml');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe.skipIf(!HAS_CHROMIUM)(`browser: a ${COUNT}-service graph${CHROMIUM_SKIP}`, () => {
  let served: ServedApp;
  let browser: BrowserHandle;
  let page: Page;
  let graph: GraphEditorObject;
  let app: AppPage;

  beforeAll(async () => {
    ensureBuilt();
    served = await serveApp({ setup: writeLargeFile });
    browser = await launchChromium();
    page = await browser.context.newPage();
    app = new AppPage(page);
    await app.open(served.url);
    graph = new GraphEditorObject(page);
  }, SLOW);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  }, SLOW);

  it('fits the whole graph on the overview canvas, with no node or edge elements', async () => {
    await page.locator('[data-testid="graph-view"][data-large="true"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="graph-overview"][data-drawn]').waitFor({ timeout: 30_000 });
    expect(Number(await page.getByTestId('graph-overview').getAttribute('data-drawn'))).toBe(COUNT);
    expect(await page.locator('.service-node').count()).toBe(0);
    expect(await page.locator('.react-flow__edge').count()).toBe(0);
    expect(await page.locator('.react-flow__minimap').count()).toBe(0);
    await app.screenshot('browser-large-overview');
  }, SLOW);

  it('in the overview, a click on a block selects that service (the inspector opens) and a right-click opens its menu', async () => {
    const at = await graph.overviewSpot('svc-7');
    await page.mouse.click(at.x, at.y);
    await graph.inspector.root().waitFor({ timeout: 5_000 });
    expect(await graph.inspector.name()).toBe('svc-7');
    // The inspector narrows the canvas, which refits: the block has moved.
    await new CanvasLayoutObject(page).waitStill();
    const moved = await graph.overviewSpot('svc-7');
    await page.mouse.click(moved.x, moved.y, { button: 'right' });
    await page.getByTestId('context-menu').waitFor({ timeout: 5_000 });
    expect(await page.locator('.context-menu-title').innerText()).toBe('svc-7');
    await page.keyboard.press('Escape');
    await page.getByTestId('context-menu').waitFor({ state: 'detached', timeout: 5_000 });
  }, SLOW);

  it('zoomed in, only the cards on screen are mounted and edges are one path', async () => {
    await page.evaluate(() => (globalThis as unknown as { __harness: { zoomForBench(v: object): void } }).__harness.zoomForBench({ x: 0, y: 0, zoom: 1 }));
    await page.locator('.service-node').first().waitFor({ timeout: 10_000 });
    await page.getByTestId('graph-overview').waitFor({ state: 'detached', timeout: 10_000 });
    const cards = await page.locator('.service-node').count();
    expect(cards).toBeGreaterThan(0);
    expect(cards).toBeLessThan(60);
    expect(await page.locator('[data-testid="edge-layer"] path:not(.edge-heads)').getAttribute('d')).toMatch(/^M[\d.-]+ [\d.-]+L/);
    // Every edge has its arrowhead at the dependency, drawn as one more path.
    expect(await page.locator('[data-testid="edge-layer"] path.edge-heads').getAttribute('d')).toMatch(/^M[\d.-]+ [\d.-]+L.*Z/);
    expect(await page.locator('.react-flow__edge').count()).toBe(0);
    await app.screenshot('browser-large-zoomed');
  }, SLOW);

  it('the inspector removes a dependency, and the edit reaches the file on save', async () => {
    const name = await page.locator('.service-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.replace(/^node-/, '')).find((n) => n !== 'svc-0')!);
    const dep = `svc-${Math.floor(Number(name.slice(4)) / 2)}`;
    await graph.selectNode(name);
    await graph.inspector.root().waitFor({ timeout: 5_000 });
    await graph.inspector.removeDependency(dep);
    await graph.inspector.apply();
    await page.locator('[data-testid="file-name"] .dirty').waitFor({ timeout: 10_000 });
    await graph.saveWithKeyboard();
    await graph.waitSaved();
    const text = await readFile(served.file!, 'utf8');
    const doc = parse(text) as { services: Array<{ name: string; dependencies?: string[] | null }> };
    expect(doc.services.find((s) => s.name === name)!.dependencies ?? []).toEqual([]);
    expect(doc.services).toHaveLength(COUNT);
    expect(text.startsWith('# A generated stack for the large-graph spec.')).toBe(true);
  }, SLOW);
});
