// The layout never hides the graph, at 1024x700 and 1920x1080, on a real `harness serve` of the
// demo: the tool rail and the minimap cover no node after a fit (a geometric check), a click at the
// centre of every node button reaches that button, node buttons act without opening the
// inspector while a click on the card selects it, the log dock and the inspector resize and
// collapse and are remembered across a reload (the graph re-fits), and every control has an
// accessible name and a tooltip.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_SKIP, HAS_CHROMIUM } from './fixtures/chromium.js';
import { openApp, type OpenedApp } from './fixtures/open-app.js';
import type { AppPage } from './pages/app-page.js';
import { CanvasLayoutObject, inside, intersects } from './pages/canvas-layout.js';
import { GraphEditorObject } from './pages/graph-editor.js';

const SLOW = 180_000;
const DEMO = ['api', 'store', 'web', 'worker'];
export const SIZES = [
  { name: '1024', width: 1024, height: 700 },
  { name: '1920', width: 1920, height: 1080 },
];

for (const size of SIZES) {
  describe.skipIf(!HAS_CHROMIUM)(`layout at ${size.width}x${size.height}: nothing hides the graph${CHROMIUM_SKIP}`, () => {
    let opened: OpenedApp | undefined;
    let page: Page;
    let app: AppPage;
    let graph: GraphEditorObject;
    let layout: CanvasLayoutObject;

    beforeAll(async () => {
      opened = await openApp({ size: { width: size.width, height: size.height } });
      ({ page, app } = opened);
      graph = new GraphEditorObject(page);
      layout = new CanvasLayoutObject(page);
      await app.waitLayoutSettled();
      await layout.waitStill();
    }, SLOW);
    afterAll(async () => {
      await opened?.close();
    }, SLOW);

    /** After a fit: every card inside the canvas, none under the minimap or the rail. */
    async function expectNothingCovers(what: string, minimap = false): Promise<void> {
      await layout.waitStill();
      const cards = await layout.cardBoxes('.service-node');
      expect(cards.map((c) => c.name).sort(), what).toEqual(DEMO);
      const canvas = await layout.box(layout.canvas());
      const controls = [
        { name: 'rail', box: await layout.box(layout.rail()) },
        ...((await layout.minimap().count()) > 0 ? [{ name: 'minimap', box: await layout.box(layout.minimap()) }] : []),
      ];
      if (minimap) expect(controls.map((c) => c.name), `${what}: the minimap is shown`).toContain('minimap');
      for (const c of cards) {
        expect(inside(c.box, canvas), `${what}: ${c.name} inside the canvas ${JSON.stringify(c.box)} in ${JSON.stringify(canvas)}`).toBe(true);
        for (const k of controls) expect(intersects(c.box, k.box), `${what}: ${k.name} covers ${c.name}`).toBe(false);
      }
    }

    async function expectEveryNodeButtonReachable(what: string): Promise<void> {
      await layout.waitStill();
      const hits = await layout.nodeButtonHits('.service-node button');
      // start, stop, restart, logs on each of the four cards
      expect(hits.length, what).toBe(DEMO.length * 4);
      for (const h of hits) expect(h.ok, `${what}: a click at the centre of ${h.testid} reaches ${h.hit}`).toBe(true);
    }

    it('after the fit, the tool rail and the minimap cover no node, and every node button is reachable', async () => {
      await expectNothingCovers('fitted', true);
      await expectEveryNodeButtonReachable('fitted');
      // The palette lives in the rail, outside the canvas.
      const rail = await layout.box(layout.rail());
      const canvas = await layout.box(layout.canvas());
      expect(intersects(rail, canvas)).toBe(false);
      expect(inside(await layout.box(page.getByRole('button', { name: 'Add a Docker service' })), rail)).toBe(true);
      await app.screenshot(`layout-${size.name}-fitted`);
    }, SLOW);

    it('a node button acts without selecting the node; a click on the card selects it', async () => {
      await page.getByRole('button', { name: 'Open the log of api' }).click();
      await page.getByTestId('log-dock').waitFor({ timeout: 5_000 });
      expect(await page.getByTestId('log-pane-0').getAttribute('data-tab')).toBe('api');
      await app.settle();
      expect(await page.getByTestId('inspector').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as { __harness: { stores: { graph: { getState(): { nodes: Array<{ selected?: boolean }> } } } } }).__harness.stores.graph.getState().nodes.some((n) => n.selected))).toBe(false);
      // With the dock open (and the graph re-fitted into the smaller canvas) still nothing covers a node.
      await expectNothingCovers('dock open');
      await expectEveryNodeButtonReachable('dock open');
      await page.getByTestId('node-store').locator('.service-node-detail').click();
      await page.getByTestId('inspector').waitFor({ timeout: 5_000 });
      expect(await page.getByTestId('inspector-name').inputValue()).toBe('store');
      await expectNothingCovers('dock and inspector open');
      await expectEveryNodeButtonReachable('dock and inspector open');
      await app.screenshot(`layout-${size.name}-dock-inspector`);
    }, SLOW);

    it('the log dock and the inspector resize and collapse, the graph re-fits, and both are remembered across a reload', async () => {
      const dockBefore = (await layout.box(layout.dock())).height;
      const inspectorBefore = (await layout.box(layout.inspectorDock())).width;
      const transformBefore = await layout.transform();
      await layout.drag(layout.dockSplitter(), 0, -60);
      await layout.drag(layout.inspectorSplitter(), -50, 0);
      await layout.waitStill();
      const dockAfter = (await layout.box(layout.dock())).height;
      const inspectorAfter = (await layout.box(layout.inspectorDock())).width;
      expect(dockAfter).toBeGreaterThan(dockBefore + 40);
      expect(inspectorAfter).toBeGreaterThan(inspectorBefore + 30);
      expect(await layout.transform()).not.toBe(transformBefore);
      await expectNothingCovers('after resizing');
      // The splitters are separators with their value, for keyboards and assistive tech too.
      expect(Number(await layout.dockSplitter().getAttribute('aria-valuenow'))).toBe(Math.round(dockAfter));

      await page.getByRole('button', { name: 'Collapse the inspector' }).click();
      await page.locator('[data-testid="inspector-dock"][data-collapsed="true"]').waitFor({ timeout: 5_000 });
      await expectNothingCovers('inspector collapsed');

      await page.reload();
      await app.waitReady();
      await page.locator('.service-node').first().waitFor({ timeout: 30_000 });
      await layout.waitStill();
      expect(Math.abs((await layout.box(layout.dock())).height - dockAfter)).toBeLessThanOrEqual(1);
      await graph.selectNode('api');
      await page.locator('[data-testid="inspector-dock"][data-collapsed="true"]').waitFor({ timeout: 5_000 });
      await page.getByRole('button', { name: /^Show the inspector/ }).click();
      await page.getByTestId('inspector').waitFor({ timeout: 5_000 });
      expect(Math.abs((await layout.box(layout.inspectorDock())).width - inspectorAfter)).toBeLessThanOrEqual(1);

      // Collapsing the dock is remembered as well.
      await page.getByRole('button', { name: 'Hide logs' }).click();
      await page.reload();
      await app.waitReady();
      await page.getByTestId('logs-open').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('log-dock').count()).toBe(0);
      await page.locator('.service-node').first().waitFor({ timeout: 30_000 });
      await expectNothingCovers('after reload');
    }, SLOW);

    it('every control on screen has an accessible name and a tooltip; tests find them by role and name', async () => {
      await graph.selectNode('api');
      await page.getByTestId('inspector').waitFor({ timeout: 5_000 });
      await page.getByRole('button', { name: 'Show logs' }).click();
      await layout.waitStill();
      const graphScan = await layout.controlsMissingNameOrTooltip();
      expect(graphScan.missing).toEqual([]);
      // Toolbar, rail, four cards, inspector, dock: far more than a handful were looked at.
      expect(graphScan.checked).toBeGreaterThan(50);
      for (const [role, name] of [
        ['button', 'Undo'],
        ['button', 'Redo'],
        ['button', 'Zoom in'],
        ['button', 'Zoom out'],
        ['button', 'Fit view'],
        ['button', 'Auto layout'],
        ['button', 'Minimap'],
        ['button', 'Start api'],
        ['button', 'Stop api'],
        ['button', 'Restart api'],
        ['button', 'Open the log of api'],
        ['button', 'Hide logs'],
        ['button', 'Collapse the inspector'],
        ['separator', 'Resize the log dock'],
        ['separator', 'Resize the inspector'],
        ['tab', 'Graph'],
        ['tab', 'Topology'],
      ] as const) {
        expect(await page.getByRole(role, { name, exact: true }).count(), `${role} "${name}"`).toBeGreaterThan(0);
      }
      // The Problems panel (at 1024 px it leaves the canvas too narrow for node buttons).
      await page.getByTestId('problems-toggle').click();
      await app.settle();
      expect((await layout.controlsMissingNameOrTooltip()).missing).toEqual([]);
      expect(await page.getByRole('button', { name: 'Close the Problems panel' }).count()).toBe(1);
      // The topology view's controls too.
      await page.getByRole('tab', { name: 'Topology' }).click();
      await page.locator('.topo-service').first().waitFor({ timeout: 15_000 });
      await app.settle();
      expect((await layout.controlsMissingNameOrTooltip()).missing).toEqual([]);
      await page.getByRole('button', { name: 'Close the Problems panel' }).click();
      await page.getByRole('tab', { name: 'Graph' }).click();
    }, SLOW);
  });
}
