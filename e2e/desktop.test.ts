// The desktop app end to end, in Debian's Chromium against a real `harness serve` on a copy of the
// demo (real processes, real sockets), and through Playwright's _electron where the binary exists.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { _electron } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './fixtures/build.js';
import { CHROMIUM_SKIP, HAS_CHROMIUM, launchChromium, type BrowserHandle } from './fixtures/chromium.js';
import { ELECTRON_BIN, ELECTRON_SKIP } from './fixtures/electron.js';
import { serveApp, type ServedApp } from './fixtures/serve-app.js';
import { AppPage } from './pages/app-page.js';

const DEMO = ['api', 'store', 'web', 'worker'];
const DEPENDENTS_OF_STORE = ['api', 'web', 'worker'];
const SLOW = 120_000;

interface Target {
  page: Page;
  app: AppPage;
  close(): Promise<void>;
}

/** The same specs, whichever shell hosts the renderer. */
function demoSpecs(name: string, skip: string, launch: () => Promise<Target>): void {
  describe.skipIf(skip !== '')(`${name}: the demo stack${skip}`, () => {
    let t: Target;
    beforeAll(async () => {
      ensureBuilt();
      t = await launch();
    }, SLOW);
    afterAll(async () => {
      await t?.close();
    }, SLOW);

    it('opens the demo: one node per service, dependency edges, all stopped', async () => {
      await t.page.locator('.service-node').first().waitFor({ timeout: 30_000 });
      expect(await t.app.nodeNames()).toEqual(DEMO);
      expect(await t.page.locator('.react-flow__edge').count()).toBe(3);
      for (const n of DEMO) expect(['stopped', 'exited']).toContain(await t.app.node(n).status());
      await t.app.screenshot(`${name}-graph-stopped`);
    }, SLOW);

    it('start all: every node turns healthy', async () => {
      await t.app.startAll();
      for (const n of DEMO) await t.app.node(n).waitForStatus(['healthy'], 60_000);
      await t.page.getByTestId('ready-count').filter({ hasText: '4/4' }).waitFor({ timeout: 10_000 });
      await t.app.screenshot(`${name}-graph-healthy`);
    }, SLOW);

    it("one click on a node opens its logs, showing the service's real output", async () => {
      await t.app.node('api').openLogs();
      const pane = t.app.logs.pane(0);
      expect(await pane.tab()).toBe('api');
      await pane.waitForText(/api listening on http:\/\/127\.0\.0\.1:\d+/);
      await t.app.logs.tab('all').click();
      await pane.waitForText(/worker\s+\| worker: job \d+ done/);
      await t.app.logs.split();
      await t.page.getByTestId('log-pane-1').waitFor();
      await t.app.logs.tab('api').click();
      await t.app.logs.pane(1).waitForText(/api listening/);
      await t.app.screenshot(`${name}-logs-split`);
      await t.app.logs.split();
    }, SLOW);

    it('stopping store stops its dependents first, and they show it', async () => {
      await t.app.node('store').stop();
      await t.app.node('store').waitForStatus(['stopped', 'exited'], 30_000);
      for (const n of DEPENDENTS_OF_STORE) await t.app.node(n).waitForStatus(['stopped', 'exited'], 30_000);
      await t.app.screenshot(`${name}-graph-store-stopped`);
    }, SLOW);

    it('restarting store brings it back healthy; starting web brings its dependencies back', async () => {
      await t.app.node('store').restart();
      await t.app.node('store').waitForStatus(['healthy'], 30_000);
      await t.app.node('web').start();
      for (const n of ['store', 'api', 'web']) await t.app.node(n).waitForStatus(['healthy'], 60_000);
    }, SLOW);

    it('the topology view draws this machine with every service, and each edge labelled with its address', async () => {
      await t.app.showNetwork();
      await t.page.locator('[data-testid="group-local"]').waitFor({ timeout: 15_000 });
      for (const n of DEMO) await t.page.getByTestId(`topo-node-${n}`).waitFor({ timeout: 10_000 });
      for (const id of ['store->api', 'api->web', 'api->worker']) expect(await t.page.getByTestId(`edge-label-${id}`).innerText()).toMatch(/^127\.0\.0\.1:\d+$/);
      await t.app.screenshot(`${name}-network`);
      await t.app.showGraph();
    }, SLOW);

    it('light theme applies to the app and the terminals', async () => {
      await t.app.toggleTheme();
      expect(await t.page.locator('html').getAttribute('data-theme')).toBe('light');
      await t.app.screenshot(`${name}-light`);
      await t.app.toggleTheme();
    }, SLOW);
  });
}

function browserSpecs(): void {
  let served: ServedApp | null = null;
  demoSpecs('browser', CHROMIUM_SKIP, async () => {
    served = await serveApp();
    let browser: BrowserHandle | null = null;
    try {
      browser = await launchChromium();
      const page = await browser.context.newPage();
      const app = new AppPage(page);
      await app.open(served.url);
      const b = browser;
      const s = served;
      return { page, app, close: async () => { await b.close(); await s.stop(); } };
    } catch (err) {
      await browser?.close();
      await served.stop();
      throw err;
    }
  });

  describe.skipIf(!HAS_CHROMIUM)(`browser: resilience and security of the page${CHROMIUM_SKIP}`, () => {
    let s: ServedApp;
    let b: BrowserHandle;
    let app: AppPage;
    beforeAll(async () => {
      ensureBuilt();
      s = await serveApp();
      b = await launchChromium();
      app = new AppPage(await b.context.newPage());
      await app.open(s.url);
    }, SLOW);
    afterAll(async () => {
      await b?.close();
      await s?.stop();
    }, SLOW);

    it('takes the token out of the address bar and keeps it for reloads', async () => {
      expect(app.page.url()).not.toContain('token=');
      await app.page.reload();
      await app.waitReady();
      expect(await app.nodeNames()).toEqual(DEMO);
    }, SLOW);

    it('survives a WebSocket drop: reconnects and resyncs from a snapshot, catching up on missed changes', async () => {
      const before = await app.resyncCount();
      await app.dropConnection();
      // Change state while the page may be disconnected: it must catch up after reconnecting.
      const { connectWebSocket } = await import('../main/server/ws-connection.js');
      const { ApiClient } = await import('../shared/api-client.js');
      const conn = await connectWebSocket(s.url);
      try {
        await new ApiClient(conn).invoke('services.start', { services: ['store'] });
      } finally {
        await conn.dispose();
      }
      await app.node('store').waitForStatus(['healthy'], 30_000);
      const deadline = Date.now() + 15_000;
      while ((await app.resyncCount()) <= before && Date.now() < deadline) await app.page.waitForTimeout(100);
      expect(await app.resyncCount()).toBeGreaterThan(before);
      expect(await app.connection()).toBe('open');
    }, SLOW);

    it('the printed one-time link signs in once; the same link in a fresh tab is refused and says why', async () => {
      const tab = await b.context.newPage();
      try {
        await tab.goto(s.codeUrl);
        await new AppPage(tab).waitReady();
        expect(tab.url()).not.toContain('code=');
        expect(await new AppPage(tab).nodeNames()).toEqual(DEMO);
      } finally {
        await tab.close();
      }
      // Another browser profile (no sessionStorage of the first tab), the same link: refused.
      const other = await launchChromium();
      try {
        const page = await other.context.newPage();
        await page.goto(s.codeUrl);
        const link = page.getByTestId('connection');
        await link.waitFor();
        const deadline = Date.now() + 15_000;
        while (!((await link.getAttribute('title')) ?? '').includes('already used') && Date.now() < deadline) await page.waitForTimeout(100);
        expect(await link.getAttribute('title')).toContain('this one-time link was already used');
        expect(await link.getAttribute('data-status')).toBe('closed');
      } finally {
        await other.close();
      }
    }, SLOW);

    it('the launch file (what --open shows the browser) redirects into a signed-in UI', async () => {
      const page = await b.context.newPage();
      try {
        await page.goto(s.launchUrl);
        await new AppPage(page).waitReady();
        expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        expect(await new AppPage(page).nodeNames()).toEqual(DEMO);
      } finally {
        await page.close();
      }
    }, SLOW);

    it('a page without the token cannot connect', async () => {
      const page = await b.context.newPage();
      try {
        await page.goto(s.url.replace(/\?token=.*/, ''));
        await page.getByTestId('connection').waitFor();
        await page.waitForTimeout(1000);
        expect(await page.getByTestId('connection').getAttribute('data-status')).not.toBe('open');
      } finally {
        await page.close();
      }
    }, SLOW);
  });

  describe.skipIf(!HAS_CHROMIUM)(`browser: empty state${CHROMIUM_SKIP}`, () => {
    let s: ServedApp;
    let b: BrowserHandle;
    beforeAll(async () => {
      ensureBuilt();
      s = await serveApp({ demo: false });
      b = await launchChromium();
    }, SLOW);
    afterAll(async () => {
      await b?.close();
      await s?.stop();
    }, SLOW);

    it('offers open / demo / new, and "create new" makes a file that opens', async () => {
      const app = new AppPage(await b.context.newPage());
      await app.open(s.url);
      await app.page.getByTestId('empty-state').waitFor();
      expect(await app.page.getByTestId('empty-demo').isEnabled()).toBe(true);
      await app.screenshot('browser-empty-state');
      const target = join(s.dir, 'new-project', 'services.yaml');
      await mkdir(join(s.dir, 'new-project'));
      await app.page.getByTestId('empty-new').click();
      await app.page.getByTestId('path-input').fill(target);
      await app.page.getByTestId('path-submit').click();
      await app.page.getByTestId('graph-view').waitFor({ timeout: 15_000 });
      expect(await readFile(target, 'utf8')).toContain('services');
    }, SLOW);
  });
}

function electronSpecs(): void {
  demoSpecs('electron', ELECTRON_SKIP, async () => {
    const { cp, mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'harness-e2e-electron-'));
    await cp(join(ROOT, 'examples', 'demo'), join(dir, 'demo'), { recursive: true });
    const app = await _electron.launch({
      executablePath: ELECTRON_BIN!,
      args: [join(ROOT, 'dist', 'electron', 'main.js'), join(dir, 'demo', 'services.yaml')],
      env: { ...process.env, HARNESS_STATE_DIR: join(dir, 'state'), HARNESS_USER_DATA: join(dir, 'user-data') },
    });
    const page = await app.firstWindow();
    const appPage = new AppPage(page);
    await appPage.waitReady();
    return {
      page,
      app: appPage,
      close: async () => {
        await app.close().catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
}

browserSpecs();
electronSpecs();
