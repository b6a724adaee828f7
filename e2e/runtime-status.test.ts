// Status that tells the truth, in the app, at 1024x700 and 1920x1080 on a real `harness serve`:
// a start that fails (a missing binary, a declared port another program holds, an image that
// cannot be had) is in the Problems panel with its service and a link that opens its log; toasts
// are one line, dismissible, and go away; stderr lines carry a quiet marker, not red text; and
// when the link to the core drops, a banner says so, nodes show `unknown`, controls are disabled,
// and the view catches up from a snapshot once it is back.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerEngine } from '../main/executors/docker/engine.js';
import { downProject } from '../main/executors/docker/project-ops.js';
import { dockerSkipReason } from '../main/executors/docker/test-support/test-images.js';
import { ROOT } from './fixtures/build.js';
import { CHROMIUM_SKIP, HAS_CHROMIUM } from './fixtures/chromium.js';
import { openApp, type OpenedApp } from './fixtures/open-app.js';
import { freePort, type ServedApp } from './fixtures/serve-app.js';
import type { AppPage } from './pages/app-page.js';
import { CanvasLayoutObject } from './pages/canvas-layout.js';
import { ProblemsPanelObject } from './pages/problems-panel.js';

const SLOW = 180_000;
const SIZES = [
  { name: '1024', width: 1024, height: 700 },
  { name: '1920', width: 1920, height: 1080 },
];
const dockerSkip = HAS_CHROMIUM ? await dockerSkipReason() : null;

/** Another program holding `port` (its own process: the error must name its pid and command). */
async function holdPort(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer(() => {}).listen(${port}, '127.0.0.1', () => console.log('up'))`, 'port-holder-marker'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the port holder exited (${code})`)));
  });
  return child;
}

async function stack(dir: string, opts: { heldPort: number; project: string; docker: boolean }): Promise<string> {
  await cp(join(ROOT, 'examples', 'demo'), join(dir, 'demo'), { recursive: true });
  const file = join(dir, 'demo', 'services.yaml');
  let text = (await readFile(file, 'utf8')).replace(/^name: demo$/m, `name: ${opts.project}`);
  text += `
  - name: ghost
    target:
      type: Process
      binary: ./no-such-program
  - name: squatter
    target:
      type: Process
      binary: node
      args: [-e, "require('net').createServer(() => {}).listen(${opts.heldPort})"]
      ports: [${opts.heldPort}]
    health_check:
      type: tcp
  - name: chatty
    target:
      type: Process
      binary: node
      args: [-e, "console.error('warning: low disk space (stderr)'); console.log('all good (stdout)'); setInterval(() => {}, 1000)"]
`;
  if (opts.docker) {
    text += `
  - name: phantom
    target:
      type: Docker
      image: harness-e2e/not-built-anywhere:1
`;
  }
  await writeFile(file, text);
  return file;
}

/** Starts (or restarts…) a service from its context menu: with the dock and the Problems panel
 * open a 1024 px window leaves the cards too small for their buttons, the menu is always there. */
async function fromMenu(page: Page, name: string, item: 'start' | 'restart' | 'logs'): Promise<void> {
  await page.getByTestId(`node-${name}`).click({ button: 'right' });
  await page.getByTestId('context-menu').waitFor({ timeout: 5_000 });
  await page.getByTestId(`menu-${item}`).click();
}

for (const size of SIZES) {
  describe.skipIf(!HAS_CHROMIUM)(`runtime status at ${size.width}x${size.height}${CHROMIUM_SKIP}`, () => {
    const project = `ui-status-${size.name}-${process.pid}`;
    let served: ServedApp;
    let opened: OpenedApp | undefined;
    let page: Page;
    let app: AppPage;
    let problems: ProblemsPanelObject;
    let holder: ChildProcess;
    let heldPort: number;

    beforeAll(async () => {
      heldPort = await freePort();
      holder = await holdPort(heldPort);
      opened = await openApp({ size: { width: size.width, height: size.height }, serve: { setup: (dir) => stack(dir, { heldPort, project, docker: dockerSkip === null }) } });
      ({ served, page, app } = opened);
      problems = new ProblemsPanelObject(page);
    }, SLOW);
    afterAll(async () => {
      await opened?.close();
      holder?.kill('SIGKILL');
      if (dockerSkip === null) await downProject(project, { removeVolumes: true }, new DockerEngine()).catch(() => undefined);
    }, SLOW);

    it('a missing binary: the start error is a problem of its service, and its link opens the log', async () => {
      await page.getByRole('button', { name: 'Start ghost', exact: true }).click();
      await app.waitStoreStatus('ghost', ['failed', 'exited']);
      // What a failure toasts is dismissed here (the toast spec below looks at its own).
      await page.getByRole('button', { name: 'Dismiss' }).first().click({ timeout: 5_000 }).catch(() => undefined);
      await problems.open();
      const text = await problems.waitRuntime('ghost', /no-such-program/);
      expect(text).toMatch(/^ghost\b/);
      expect(await problems.runtime('ghost').getAttribute('data-kind')).toBe('start');
      await problems.openLog('ghost');
      const pane = app.logs.pane(0);
      expect(await pane.tab()).toBe('ghost');
      await pane.waitForText(/no-such-program/);
      await app.screenshot(`status-${size.name}-problems`);
    }, SLOW);

    it('a declared port another program holds: the start fails at once, naming its pid and command', async () => {
      await fromMenu(page, 'squatter', 'start');
      await app.waitStoreStatus('squatter', ['failed']);
      const text = await problems.waitRuntime('squatter', new RegExp(`port ${heldPort}\\b.*held by pid ${holder.pid}`));
      expect(text).toContain('port-holder-marker');
      await problems.openLog('squatter');
      expect(await app.logs.pane(0).tab()).toBe('squatter');
      // The holder is still the one listening: nothing of squatter's ever ran.
      expect(await app.storeStatus('squatter')).toBe('failed');
    }, SLOW);

    it.skipIf(dockerSkip !== null)(`an image that is not here and cannot be pulled is an image problem, in one line${dockerSkip ? ` (skipped: ${dockerSkip})` : ''}`, async () => {
      await fromMenu(page, 'phantom', 'start');
      await app.waitStoreStatus('phantom', ['failed'], 120_000);
      const text = await problems.waitRuntime('phantom', /harness-e2e\/not-built-anywhere:1/);
      expect(await problems.runtime('phantom').getAttribute('data-kind')).toBe('image');
      expect(text).toMatch(/cannot be pulled/);
      await problems.openLog('phantom');
      expect(await app.logs.pane(0).tab()).toBe('phantom');
    }, SLOW);

    it('toasts are one line, can be dismissed, point to the details, and go away by themselves', async () => {
      // Two failing starts: each answers with an error toast.
      await page.evaluate(() => {
        const ui = (globalThis as unknown as { __harness: { stores: { ui: { getState(): { toasts: unknown[]; dismissToast(id: number): void } } } } }).__harness.stores.ui.getState();
        for (const t of ui.toasts as Array<{ id: number }>) ui.dismissToast(t.id);
      });
      await fromMenu(page, 'ghost', 'restart');
      const toast = problems.toasts().first();
      await toast.waitFor({ timeout: 10_000 });
      const metrics = await toast.locator('.toast-text').evaluate((el) => {
        const style = el.ownerDocument.defaultView!.getComputedStyle(el);
        return { height: el.getBoundingClientRect().height, lineHeight: parseFloat(style.lineHeight), whiteSpace: style.whiteSpace };
      });
      expect(metrics.whiteSpace).toBe('nowrap');
      expect(metrics.height).toBeLessThanOrEqual(metrics.lineHeight * 1.5);
      const message = (await toast.locator('.toast-text').getAttribute('title')) ?? '';
      expect(message).toMatch(/no-such-program/);
      // Its whole text is in the panel.
      await toast.getByRole('button', { name: 'details' }).click();
      await problems.root().getByTestId('notice').filter({ hasText: 'no-such-program' }).first().waitFor({ timeout: 5_000 });
      // Dismissed by its button…
      await fromMenu(page, 'ghost', 'restart');
      await problems.toasts().first().waitFor({ timeout: 10_000 });
      await problems.toasts().first().getByRole('button', { name: 'Dismiss' }).click();
      await problems.toasts().first().waitFor({ state: 'detached', timeout: 5_000 });
      // …or gone by itself a few seconds later.
      await fromMenu(page, 'ghost', 'restart');
      await problems.toasts().first().waitFor({ timeout: 10_000 });
      await problems.toasts().first().waitFor({ state: 'detached', timeout: 15_000 });
    }, SLOW);

    it('stderr lines carry a quiet marker, not red text; search and timestamps work as before', async () => {
      await fromMenu(page, 'chatty', 'start');
      await fromMenu(page, 'chatty', 'logs');
      const pane = app.logs.pane(0);
      await pane.waitForText(/▍warning: low disk space \(stderr\)/);
      await pane.waitForText(/^all good \(stdout\)$/m);
      const row = await pane.root.locator('.xterm-rows > div').filter({ hasText: '▍warning: low disk space' }).first().evaluate((el) =>
        [...el.querySelectorAll('span')].map((s) => ({ text: s.textContent ?? '', cls: s.className })),
      );
      for (const s of row) expect(s.cls, `"${s.text}" is not red`).not.toMatch(/\bxterm-fg-(1|9)\b/);
      expect(row.some((s) => s.text.includes('▍') && /\bxterm-dim\b/.test(s.cls)), JSON.stringify(row)).toBe(true);
      expect(row.some((s) => s.text.includes('low disk') && /\bxterm-dim\b/.test(s.cls))).toBe(false);
      await page.getByTestId('log-search-0').fill('low disk');
      await page.getByTestId('log-search-0').press('Enter');
      await page.waitForFunction(() => (globalThis as unknown as { __harness: { terminals: { get(k: string): { selection(): string | null } } } }).__harness.terminals.get('chatty').selection() === 'low disk', null, { timeout: 5_000 });
      await page.getByTestId('log-timestamps').check();
      await pane.waitForText(/\d\d:\d\d:\d\d\.\d{3} ▍warning: low disk space/);
      await page.getByTestId('log-timestamps').uncheck();
      await app.screenshot(`status-${size.name}-stderr`);
    }, SLOW);

    it('connection lost: a banner, nodes shown as unknown, controls disabled; back, the view catches up from a snapshot', async () => {
      // Room for full cards (their buttons) at 1024 px: no dock, no Problems panel.
      await page.getByRole('button', { name: 'Close the Problems panel' }).click();
      await page.getByRole('button', { name: 'Hide logs' }).click();
      await new CanvasLayoutObject(page).waitStill();
      await page.getByRole('button', { name: 'Start store', exact: true }).click();
      await app.waitStoreStatus('store', ['healthy']);
      const resyncs = await app.resyncCount();
      await app.dropConnection(6_000);
      await app.banner().waitFor({ timeout: 5_000 });
      expect(await app.banner().getAttribute('role')).toBe('alert');
      expect(await app.banner().innerText()).toMatch(/Connection to Harness lost/);
      expect(await page.getByTestId('node-status-store').innerText()).toBe('unknown');
      expect(await page.getByTestId('node-store').getAttribute('data-status')).toBe('unknown');
      for (const name of ['Start store', 'Stop store', 'Restart store']) expect(await page.getByRole('button', { name, exact: true }).isDisabled(), name).toBe(true);
      expect(await page.getByTestId('start-all').isDisabled()).toBe(true);
      expect(await page.getByTestId('stop-all').isDisabled()).toBe(true);
      // Opening a log needs no core: it stays available.
      expect(await page.getByRole('button', { name: 'Open the log of store' }).isDisabled()).toBe(false);
      await app.screenshot(`status-${size.name}-connection-lost`);
      // Meanwhile the stack changes: the page must catch up once it is back.
      const { connectWebSocket } = await import('../main/server/ws-connection.js');
      const { ApiClient } = await import('../shared/api-client.js');
      const conn = await connectWebSocket(served.url);
      try {
        await new ApiClient(conn).invoke('services.stop', { services: ['store'] });
      } finally {
        await conn.dispose();
      }
      await app.banner().waitFor({ state: 'detached', timeout: 30_000 });
      await app.waitConnection('open');
      await page.getByTestId('node-store').locator('[data-status="stopped"], [data-status="exited"]').or(page.locator('[data-testid="node-store"][data-status="stopped"], [data-testid="node-store"][data-status="exited"]')).first().waitFor({ timeout: 15_000 });
      expect(await app.resyncCount()).toBeGreaterThan(resyncs);
      expect(await page.getByRole('button', { name: 'Start store', exact: true }).isDisabled()).toBe(false);
      expect(await page.getByTestId('start-all').isDisabled()).toBe(false);
    }, SLOW);
  });
}
