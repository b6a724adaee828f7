// The topology view, drawn, at 1024x700 and 1920x1080 against a real `harness serve`: a group for
// this machine (its name and addresses in the header), one for the project's Docker network
// (subnet and gateway, once the engine has it), every service in its location's group, every
// dependency an arrow labelled with the address:port its dependent was given (an address that
// cannot work marked, with the reason), selection and the log dock shared with the graph view,
// whose edges show the same address on hover. The Docker part runs where an engine is reachable.
import { hostname } from 'node:os';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerEngine } from '../main/executors/docker/engine.js';
import { downProject } from '../main/executors/docker/project-ops.js';
import { BUSYBOX_IMAGE, dockerSkipReason, ensureTestImages } from '../main/executors/docker/test-support/test-images.js';
import { ROOT } from './fixtures/build.js';
import { CHROMIUM_SKIP, HAS_CHROMIUM } from './fixtures/chromium.js';
import { openApp, type OpenedApp } from './fixtures/open-app.js';
import { freePort } from './fixtures/serve-app.js';
import type { AppPage } from './pages/app-page.js';
import { CanvasLayoutObject } from './pages/canvas-layout.js';
import { GraphEditorObject } from './pages/graph-editor.js';
import { TopologyViewObject } from './pages/topology-view.js';

const SLOW = 240_000;
const SIZES = [
  { name: '1024', width: 1024, height: 700 },
  { name: '1920', width: 1920, height: 1080 },
];
const dockerSkip = HAS_CHROMIUM ? await dockerSkipReason() : null;

/** The demo plus two containers: `cache` (api depends on it) and `probe` (depends on api, which
 * listens on 127.0.0.1 only: containers cannot reach it, and the topology says so). */
async function mixedStack(dir: string, project: string): Promise<string> {
  await cp(join(ROOT, 'examples', 'demo'), join(dir, 'demo'), { recursive: true });
  const file = join(dir, 'demo', 'services.yaml');
  let text = await readFile(file, 'utf8');
  text = text.replace(/^name: demo$/m, `name: ${project}`).replace('dependencies: [store]     # starts once store is healthy', 'dependencies: [store, cache]   # starts once store is healthy');
  text += `
  - name: cache
    target:
      type: Docker
      image: ${BUSYBOX_IMAGE}
      command: [httpd, -f, -p, "8080", -h, /www]
      ports: ["127.0.0.1:${await freePort()}:8080"]
    health_check:
      type: tcp
      port: 8080

  - name: probe
    target:
      type: Docker
      image: ${BUSYBOX_IMAGE}
      command: [sh, -c, "echo probing $API_ADDR:$API_PORT; exec sleep 3600"]
    dependencies: [api]
`;
  await writeFile(file, text);
  return file;
}

async function selectedInGraphStore(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as { __harness: { stores: { graph: { getState(): { nodes: Array<{ id: string; selected?: boolean }> } } } } }).__harness.stores.graph.getState().nodes.filter((n) => n.selected).map((n) => n.id));
}

for (const size of SIZES) {
  describe.skipIf(!HAS_CHROMIUM)(`topology view at ${size.width}x${size.height}, the demo (processes only)${CHROMIUM_SKIP}`, () => {
    let opened: OpenedApp | undefined;
    let page: Page;
    let app: AppPage;
    let topo: TopologyViewObject;
    let graph: GraphEditorObject;

    beforeAll(async () => {
      opened = await openApp({ size: { width: size.width, height: size.height } });
      ({ page, app } = opened);
      topo = new TopologyViewObject(page);
      graph = new GraphEditorObject(page);
    }, SLOW);
    afterAll(async () => {
      await opened?.close();
    }, SLOW);

    it("this machine's group names it and its addresses; every edge is labelled with the address its dependent was given", async () => {
      await app.startAll();
      for (const n of ['store', 'api', 'web', 'worker']) await app.waitStoreStatus(n, ['healthy']);
      await topo.open();
      expect(await topo.groupIds()).toEqual(['local']);
      const header = await topo.groupHeader('local');
      expect(header).toMatch(/this machine/i);
      expect(header).toContain(hostname());
      expect(header).toMatch(/\blo 127\.0\.0\.1\b/);
      for (const n of ['store', 'api', 'web', 'worker']) expect(await topo.groupOf(n)).toBe('local');
      const edges = await topo.storeEdges();
      expect(edges.map((e) => `${e.to}->${e.from}`).sort()).toEqual(['api->web', 'api->worker', 'store->api']);
      const labels = await topo.edgeLabels();
      for (const e of edges) {
        const label = labels.get(`${e.to}->${e.from}`);
        expect(label?.text, `label of ${e.to}->${e.from}`).toBe(`${e.address}:${e.port}`);
        expect(label?.text).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(label?.warning).toBe(false);
        expect(label?.title).toContain(`${e.from} reaches ${e.to} at ${e.address}:${e.port}`);
      }
      await app.screenshot(`topology-${size.name}-demo`);
    }, SLOW);

    it('selection and the log dock are those of the graph view', async () => {
      await topo.card('api').locator('.service-node-name').click();
      await page.getByTestId('inspector').waitFor({ timeout: 5_000 });
      expect(await page.getByTestId('inspector-name').inputValue()).toBe('api');
      expect(await topo.card('api').getAttribute('class')).toContain('selected');
      // The inspector narrows the canvas, which refits: click once the cards stand still.
      await new CanvasLayoutObject(page).waitStill();
      await page.getByRole('button', { name: 'Open the log of worker' }).click();
      await app.logs.pane(0).waitForText(/worker: job \d+ done/);
      await page.getByRole('tab', { name: 'Graph' }).click();
      await page.getByTestId('node-api').waitFor({ timeout: 10_000 });
      expect(await selectedInGraphStore(page)).toEqual(['api']);
      expect(await page.getByTestId('log-pane-0').getAttribute('data-tab')).toBe('worker');
      await graph.clickEmpty();
    }, SLOW);

    it("the graph view's edges are arrows that show the resolved address on hover", async () => {
      await new CanvasLayoutObject(page).waitStill();
      const edge = page.getByTestId('rf__edge-store->api');
      const marker = await edge.locator('path.react-flow__edge-path').getAttribute('marker-start');
      expect(marker).toMatch(/^url\('?#/);
      const title = await edge.locator('title').textContent();
      const e = (await topo.storeEdges()).find((x) => x.from === 'api' && x.to === 'store')!;
      expect(title?.startsWith(`api reaches store at ${e.address}:${e.port}`)).toBe(true);
      await graph.hoverEdge('store', 'api');
      const shown = page.getByTestId('edge-address-store->api');
      await shown.waitFor({ timeout: 5_000 });
      expect(await shown.innerText()).toBe(`${e.address}:${e.port}`);
      await page.mouse.move(5, size.height - 5);
    }, SLOW);
  });

  describe.skipIf(!HAS_CHROMIUM || dockerSkip !== null)(
    `topology view at ${size.width}x${size.height}, processes and containers${CHROMIUM_SKIP}${dockerSkip ? ` (skipped: ${dockerSkip})` : ''}`,
    () => {
      const project = `ui-topo-${size.name}-${process.pid}`;
      const engine = new DockerEngine();
      let opened: OpenedApp | undefined;
      let page: Page;
      let app: AppPage;
      let topo: TopologyViewObject;
      let layout: CanvasLayoutObject;

      beforeAll(async () => {
        await ensureTestImages(engine);
        opened = await openApp({ size: { width: size.width, height: size.height }, serve: { setup: (dir) => mixedStack(dir, project) } });
        ({ page, app } = opened);
        topo = new TopologyViewObject(page);
        layout = new CanvasLayoutObject(page);
      }, SLOW);
      afterAll(async () => {
        await opened?.close();
        await downProject(project, { removeVolumes: true }, engine).catch(() => undefined);
      }, SLOW);

      it('before anything runs, the Docker network has its group, saying it does not exist yet', async () => {
        await topo.open();
        expect(await topo.groupIds()).toEqual([`docker:harness-${project}`, 'local']);
        expect(await topo.groupHeader(`docker:harness-${project}`)).toMatch(/not created yet/);
        expect(await topo.groupOf('cache')).toBe(`docker:harness-${project}`);
        expect(await topo.groupOf('probe')).toBe(`docker:harness-${project}`);
        expect(await topo.groupOf('store')).toBe('local');
      }, SLOW);

      it('running, the network shows its subnet and gateway; edges across it carry their addresses, the unworkable one marked with the reason', async () => {
        await app.startAll();
        for (const n of ['store', 'cache', 'api', 'web', 'worker']) await app.waitStoreStatus(n, ['healthy'], 120_000);
        await app.waitStoreStatus('probe', ['running', 'healthy'], 60_000);
        const info = await engine.docker.getNetwork(`harness-${project}`).inspect();
        const { Subnet: subnet, Gateway: gateway } = info.IPAM!.Config![0];
        await topo.waitTopology(`t.dockerNetworks?.[0]?.subnet === ${JSON.stringify(subnet)} && t.edges.some((e) => e.from === 'probe' && e.warning)`);
        await layout.waitStill();
        expect(await topo.groupHeader(`docker:harness-${project}`)).toContain(`subnet ${subnet} · gateway ${gateway}`);
        const labels = await topo.edgeLabels();
        const edges = await topo.storeEdges();
        expect(edges).toHaveLength(5);
        for (const e of edges) expect(labels.get(`${e.to}->${e.from}`)?.address).toBe(`${e.address}:${e.port}`);
        // A process reaches a container at its published port on loopback.
        expect(labels.get('cache->api')?.text).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(labels.get('cache->api')?.reason).toBe('');
        // A container reaches this machine at the network's gateway, but api listens on loopback only.
        const probe = labels.get('api->probe')!;
        expect(probe.warning).toBe(true);
        expect(probe.address).toBe(`${gateway}:${edges.find((e) => e.from === 'probe')!.port}`);
        // The reason is on the label itself (its first clause) and whole in its tooltip.
        expect(probe.reason).toMatch(/^api listens on port \d+ only on 127\.0\.0\.1/);
        expect(probe.title).toContain(edges.find((e) => e.from === 'probe')!.warning!);
        expect(await page.locator('.address-edge.warn').count()).toBeGreaterThan(0);
        await app.screenshot(`topology-${size.name}-docker`);
        await page.getByRole('tab', { name: 'Graph' }).click();
        await page.locator('.service-node').first().waitFor({ timeout: 10_000 });
        await layout.waitStill();
        await app.screenshot(`graph-${size.name}-docker`);
        await page.getByRole('tab', { name: 'Topology' }).click();
      }, SLOW);

      it("a container's log opens from its card, as from the graph", async () => {
        await page.getByRole('button', { name: 'Open the log of probe' }).click();
        await app.logs.pane(0).waitForText(/probing \d+\.\d+\.\d+\.\d+:\d+/);
        expect(await page.getByTestId('inspector').count()).toBe(0);
      }, SLOW);
    },
  );
}
