// Editing you can trust, end to end in Debian's Chromium against a real `harness serve`: edits are
// a draft (nothing running stops until Save and Apply), every edit can be undone (also after a
// save), renames follow references into the file, the file on disk is never overwritten behind
// anyone's back, an invalid file can be fixed in the app, and unsaved edits are neither lost by
// closing the tab nor by the server going away.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './fixtures/build.js';
import { CHROMIUM_SKIP, HAS_CHROMIUM, launchChromium, type BrowserHandle } from './fixtures/chromium.js';
import { serveApp, type ServedApp } from './fixtures/serve-app.js';
import { AppPage } from './pages/app-page.js';
import { DialogObject } from './pages/dialog.js';
import { GraphEditorObject } from './pages/graph-editor.js';
import { SourcePanelObject } from './pages/source-panel.js';

const SLOW = 150_000;

interface RawFile {
  services: Array<{ name: string; target: Record<string, unknown>; dependencies?: string[] | null; ui?: { position?: { x: number; y: number } } }>;
}

/** One page on a served app, with the page objects. */
interface Session {
  served: ServedApp;
  page: Page;
  app: AppPage;
  graph: GraphEditorObject;
  dialog: DialogObject;
  source: SourcePanelObject;
}

let browser: BrowserHandle;

async function session(served: ServedApp, opts: { waitNodes?: boolean } = {}): Promise<Session> {
  const page = await browser.context.newPage();
  const app = new AppPage(page);
  await app.open(served.url);
  if (opts.waitNodes !== false) {
    await page.locator('.service-node').first().waitFor({ timeout: 30_000 });
    await app.waitLayoutSettled();
  }
  return { served, page, app, graph: new GraphEditorObject(page), dialog: new DialogObject(page), source: new SourcePanelObject(page) };
}

const fileOf = async (s: Session) => {
  const text = await readFile(s.served.file!, 'utf8');
  return { text, doc: parse(text) as RawFile };
};

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!HAS_CHROMIUM)(`browser: editing you can trust${CHROMIUM_SKIP}`, () => {
  beforeAll(async () => {
    ensureBuilt();
    browser = await launchChromium({ width: 1440, height: 900 });
  }, SLOW);
  afterAll(async () => {
    await browser?.close();
  }, SLOW);

  describe('deleting a running service', () => {
    // Dependents that keep running without their dependency, so applying them is observable.
    const idle = (line: string) => `{type: Process, binary: node, args: ["-e", "console.log('${line}'); setInterval(() => {}, 1000)"]}`;
    const STACK = `# A stack whose services outlive each other.
services:
  - name: db        # the one to delete
    target: ${idle('db up')}
    health_check: {type: log, pattern: db up}
  - name: app1
    target: ${idle('app1 up')}
    dependencies: [db]
    health_check: {type: log, pattern: app1 up}
  - name: app2
    target: ${idle('app2 up')}
    dependencies: [db]
    health_check: {type: log, pattern: app2 up}
`;
    let s: Session;
    beforeAll(async () => {
      const served = await serveApp({
        setup: async (dir) => {
          const file = join(dir, 'services.yaml');
          await writeFile(file, STACK);
          return file;
        },
      });
      s = await session(served);
    }, SLOW);
    afterAll(async () => {
      await s?.page.close();
      await s?.served.stop();
    }, SLOW);

    it('asks first naming its dependents; nothing stops until Save and Apply; Apply restarts only the one applied', async () => {
      const { page, app, graph, dialog } = s;
      await app.startAll();
      for (const n of ['db', 'app1', 'app2']) await app.node(n).waitForStatus(['healthy'], 60_000);
      const pid = async (n: string) => (await graph.runState(n))?.pid;
      const before = { db: await pid('db'), app1: await pid('app1'), app2: await pid('app2') };

      await graph.selectNode('db');
      await graph.pressDelete();
      await dialog.waitFor('dialog-delete');
      expect(await dialog.message('dialog-delete')).toBe('app1 and app2 depend on db; deleting also removes db from their dependencies.');
      expect(await dialog.items('dialog-delete')).toEqual(['app1 depends on db', 'app2 depends on db', 'db is running: it keeps running until you save and apply']);
      await app.screenshot('browser-delete-dialog');
      await dialog.press('dialog-delete', 'delete');
      await graph.node('db').waitFor({ state: 'detached', timeout: 10_000 });
      // A draft: the file and every process are as they were.
      expect((await fileOf(s)).text).toBe(STACK);
      await page.getByTestId('pending-unsaved-removals').waitFor({ timeout: 10_000 });
      for (const [n, p] of Object.entries(before)) {
        expect(alive(p), n).toBe(true);
        expect(await pid(n), n).toBe(p);
      }

      await graph.saveWithKeyboard();
      await graph.waitSaved();
      const saved = (await fileOf(s)).doc;
      expect(saved.services.map((x) => x.name)).toEqual(['app1', 'app2']);
      expect(saved.services.every((x) => (x.dependencies ?? []).length === 0)).toBe(true);
      // Saved, still not applied: db runs on; app1 and app2 (their dependencies changed) are marked.
      await graph.pending.removed('db').waitFor({ timeout: 10_000 });
      await page.locator('[data-testid="node-app1"][data-changed="true"]').waitFor({ timeout: 10_000 });
      await page.locator('[data-testid="node-app2"][data-changed="true"]').waitFor({ timeout: 10_000 });
      for (const [n, p] of Object.entries(before)) expect(alive(p), n).toBe(true);
      await app.screenshot('browser-pending-changes');

      // Apply app1 alone: it restarts with its saved config; nothing else is touched.
      await page.getByTestId('node-apply-app1').click();
      await waitUntil('app1 restarted', async () => (await pid('app1')) !== before.app1 && (await graph.runState('app1'))?.status === 'healthy', 60_000);
      expect(alive(before.app1)).toBe(false);
      expect(await pid('app2')).toBe(before.app2);
      expect(alive(before.db)).toBe(true);
      await page.locator('[data-testid="node-app1"]:not([data-changed])').waitFor({ timeout: 10_000 });

      // Apply all: db stops for good, app2 restarts.
      await graph.pending.applyAll();
      await waitUntil('db stopped', () => !alive(before.db), 30_000);
      await waitUntil('app2 restarted', async () => (await pid('app2')) !== before.app2 && (await graph.runState('app2'))?.status === 'healthy', 60_000);
      await graph.pending.bar().waitFor({ state: 'detached', timeout: 10_000 });
    }, SLOW);
  });

  describe('undo and redo', () => {
    let s: Session;
    beforeAll(async () => {
      s = await session(await serveApp());
    }, SLOW);
    afterAll(async () => {
      await s?.page.close();
      await s?.served.stop();
    }, SLOW);

    it('every kind of edit is one step back and forth, also after a save (which the undo makes unsaved again)', async () => {
      const { page, graph, dialog } = s;
      const texts = [await graph.draftText()];
      const step = async (what: string, edit: () => Promise<void>) => {
        await edit();
        await waitUntil(`${what} in the draft`, async () => (await graph.draftText()) !== texts[texts.length - 1], 10_000);
        texts.push(await graph.draftText());
      };
      const box = (await graph.view.boundingBox())!;
      await step('add', async () => {
        await graph.dropFromPalette('Process', { x: 160, y: box.height - 160 });
        await dialog.waitFor('dialog-new-service');
        await dialog.input('dialog-new-service').fill('extra');
        await dialog.press('dialog-new-service', 'add');
      });
      await step('wire', () => graph.connect('store', 'extra'));
      await step('move', () => graph.dragNode('web', 0, 120));
      await step('inspector', async () => {
        await graph.selectNode('worker');
        await graph.inspector.addItem('target.args', '--slow');
        await graph.inspector.set('stop_grace_period', '3s');
        await graph.inspector.apply();
      });
      await graph.saveWithKeyboard();
      await graph.waitSaved();
      const onDisk = (await fileOf(s)).text;
      expect(onDisk).toBe(texts[texts.length - 1]);
      await step('rename', async () => {
        await graph.openContextMenu('extra');
        await graph.menuItem('rename');
        await dialog.waitFor('dialog-rename');
        await dialog.input('dialog-rename').fill('helper');
        await dialog.press('dialog-rename', 'rename');
      });
      await step('unwire', async () => {
        // The rename left helper selected: its inspector removes the dependency (deleting a
        // selected edge is the same edit, covered by graph-editing.test.ts).
        await graph.inspector.removeDependency('store');
        await graph.inspector.apply();
      });
      await step('delete', async () => {
        await graph.selectNode('helper');
        await graph.pressDelete();
      });
      expect(texts).toHaveLength(8);
      // One inspector Apply of two fields was one step, as was the drag and the drop.
      expect(new Set(texts).size).toBe(8);

      for (let i = texts.length - 2; i >= 0; i--) {
        await graph.undo();
        await graph.waitDraft(texts[i]);
        // The saved point is clean again; everything else is unsaved.
        await graph.waitDirty(texts[i] !== onDisk);
      }
      await page.locator('[data-testid="undo"]:disabled').waitFor({ timeout: 10_000 });
      // Undo never writes the file.
      expect((await fileOf(s)).text).toBe(onDisk);
      await graph.node('extra').waitFor({ state: 'detached', timeout: 10_000 });
      for (let i = 1; i < texts.length; i++) {
        await graph.redo();
        await graph.waitDraft(texts[i]);
      }
      await graph.node('helper').waitFor({ state: 'detached', timeout: 10_000 });
      await page.locator('[data-testid="redo"]:disabled').waitFor({ timeout: 10_000 });
      await graph.waitDirty(true);
      // The toolbar buttons do the same as the keys.
      await page.getByTestId('undo').click();
      await graph.waitDraft(texts[texts.length - 2]);
      await page.getByTestId('redo').click();
      await graph.waitDraft(texts[texts.length - 1]);
    }, SLOW);
  });

  describe('rename', () => {
    let s: Session;
    beforeAll(async () => {
      s = await session(await serveApp());
    }, SLOW);
    afterAll(async () => {
      await s?.page.close();
      await s?.served.stop();
    }, SLOW);

    it('renaming follows every reference into the file, comments intact; a taken name is refused with the loader message', async () => {
      const { page, graph } = s;
      const before = (await fileOf(s)).text;
      await graph.selectNode('api');
      await graph.inspector.set('name', 'web');
      await page.getByTestId('problems-name').filter({ hasText: 'duplicate service name "web" (first defined at line' }).waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('inspector-apply').isDisabled()).toBe(true);

      await graph.selectNode('store');
      await graph.inspector.set('name', 'kv');
      await graph.inspector.apply();
      await graph.node('kv').waitFor({ timeout: 10_000 });
      await graph.edge('kv', 'api').waitFor({ timeout: 10_000 });
      await graph.node('store').waitFor({ state: 'detached', timeout: 10_000 });
      await graph.saveWithKeyboard();
      await graph.waitSaved();
      const { text, doc } = await fileOf(s);
      expect(doc.services.map((x) => x.name)).toEqual(['kv', 'api', 'web', 'worker']);
      expect(doc.services.find((x) => x.name === 'api')!.dependencies).toEqual(['kv']);
      // Exactly the name and the references changed, plus the node's place kept in the file.
      const changed = text.split('\n').filter((l) => !before.split('\n').includes(l));
      expect(changed).toEqual([
        '  - name: kv',
        expect.stringMatching(/^ {4}ui: \{position: \{x: -?\d+, y: -?\d+\}\}$/),
        '    dependencies: [kv]     # starts once store is healthy; gets STORE_ADDR and STORE_PORT',
      ]);
      for (const comment of ['# looked up on PATH', '# Declared ports are what dependents get as <NAME>_PORT (here STORE_PORT).', '      path: /health           # /health answers 200 only when the store answers too']) {
        expect(text).toContain(comment);
      }
      expect(await page.getByTestId('problems-toggle').innerText()).toBe('Problems 0');
    }, SLOW);
  });

  describe('the file on disk is the truth', () => {
    let s: Session;
    beforeAll(async () => {
      s = await session(await serveApp());
    }, SLOW);
    afterAll(async () => {
      await s?.page.close();
      await s?.served.stop();
    }, SLOW);

    it('an external change with no unsaved edits reloads the graph and says so', async () => {
      const { graph } = s;
      const text = (await fileOf(s)).text;
      const layouts = await s.app.layouts();
      await writeFile(s.served.file!, `${text}  - name: added-outside\n    target: {type: Process, binary: node, args: [worker.mjs]}\n    dependencies: [web]\n`);
      await graph.node('added-outside').waitFor({ timeout: 15_000 });
      await graph.edge('web', 'added-outside').waitFor({ timeout: 10_000 });
      expect(await graph.toast(/services\.yaml changed on disk: reloaded/)).toBeTruthy();
      expect(await graph.dirty()).toBe(false);
      // The new node (no saved position) is laid out and the view refits: let that land.
      await s.app.waitLayoutSettled(layouts);
    }, SLOW);

    it('with unsaved edits it asks; a save then refuses to overwrite their version; the compare view merges both', async () => {
      const { page, graph, dialog } = s;
      await graph.dragNode('worker', 0, 100);
      await page.locator('[data-testid="file-name"] .dirty').waitFor({ timeout: 10_000 });
      const theirs = (await fileOf(s)).text.replace('name: demo', 'name: demo        # renamed by a colleague');
      await writeFile(s.served.file!, theirs);
      await dialog.waitFor('dialog-conflict', 15_000);
      expect(await dialog.message('dialog-conflict')).toMatch(/changed by another program while you had unsaved changes/);
      // Decide later: the choice stays available and nothing is written.
      await page.keyboard.press('Escape');
      await page.getByTestId('conflict-chip').waitFor({ timeout: 5_000 });
      await graph.saveButton();
      await dialog.waitFor('dialog-conflict', 15_000);
      expect((await fileOf(s)).text).toBe(theirs);

      await dialog.press('dialog-conflict', 'compare');
      await page.locator('[data-testid="merge-view"] .cm-mergeView').waitFor({ timeout: 15_000 });
      await s.app.screenshot('browser-compare');
      // Take their changed line into mine, keep my move, and save the merge.
      await page.locator('[data-testid="merge-view"] .cm-merge-revert button').first().click();
      await page.getByTestId('merge-keep').click();
      await page.getByTestId('merge-dialog').waitFor({ state: 'detached', timeout: 10_000 });
      await graph.saveWithKeyboard();
      await graph.waitSaved();
      const merged = (await fileOf(s)).text;
      expect(merged).toContain('name: demo        # renamed by a colleague');
      expect(parse(merged).services.find((x: { name: string }) => x.name === 'worker').ui?.position).toBeDefined();
      // Our own save is not an external change.
      expect(await page.locator('form[data-testid="dialog-conflict"]').count()).toBe(0);
    }, SLOW);

    it('"reload" takes their version, and undo brings mine back', async () => {
      const { page, graph, dialog } = s;
      const mine = async () => (await graph.draftText()).includes('# mine');
      await graph.selectNode('web');
      await graph.inspector.addItem('target.args', '# mine');
      await graph.inspector.apply();
      await waitUntil('my edit', mine);
      const theirs = (await fileOf(s)).text.replace('name: demo', 'name: demo2');
      await writeFile(s.served.file!, theirs);
      await dialog.waitFor('dialog-conflict', 15_000);
      await dialog.press('dialog-conflict', 'reload');
      await graph.waitDraft(theirs);
      await graph.waitDirty(false);
      await graph.undo();
      await waitUntil('mine again', mine);
      await graph.waitDirty(true);
      expect((await fileOf(s)).text).toBe(theirs);
      await page.getByTestId('undo').waitFor();
    }, SLOW);
  });

  describe('an invalid file', () => {
    let s: Session;
    const BAD = (text: string) =>
      text
        .replace('      binary: node            # looked up on PATH', '      binary: ""              # looked up on PATH')
        .replace('      policy: on-failure      # restart', '      policy: sometimes      # restart');
    let good: string;
    beforeAll(async () => {
      const served = await serveApp({
        setup: async (dir) => {
          const { cp } = await import('node:fs/promises');
          const { ROOT } = await import('./fixtures/build.js');
          await cp(join(ROOT, 'examples', 'demo'), join(dir, 'demo'), { recursive: true });
          const file = join(dir, 'demo', 'services.yaml');
          good = await readFile(file, 'utf8');
          await writeFile(file, BAD(good));
          return file;
        },
      });
      s = await session(served);
    }, SLOW);
    afterAll(async () => {
      await s?.page.close();
      await s?.served.stop();
    }, SLOW);

    it('shows every service with markers, asks before saving it, is fixed in the source panel and saved', async () => {
      const { page, graph, dialog, source } = s;
      expect(await graph.nodeIds()).toEqual(['api', 'store', 'web', 'worker']);
      await graph.waitErrors('store', 1);
      await graph.waitErrors('api', 1);
      await graph.waitErrors('web', 0);
      await page.locator('[data-testid="node-store"][data-errors="1"]').waitFor({ timeout: 10_000 });
      expect(await graph.edgeIdsInStore()).toEqual(['api->web', 'api->worker', 'store->api']);
      // The inspector shows the problem at its field.
      await graph.selectNode('api');
      expect(await graph.inspector.problemsAt('restart.policy')).toMatch(/^"sometimes" is not a valid restart policy; expected one of no, on-failure, always/);

      await source.open();
      await waitUntil('two error marks', async () => (await source.errorMarks()) >= 2, 10_000);
      expect(await source.status()).toBe('2 problems');
      await s.app.screenshot('browser-source-problems');

      // Saving a file with errors asks first.
      await graph.saveButton();
      await dialog.waitFor('dialog-save-problems');
      expect(await dialog.items('dialog-save-problems')).toEqual([
        expect.stringMatching(/^services\[0\]\.target\.binary: must not be empty \(line \d+\)$/),
        expect.stringMatching(/^services\[1\]\.restart\.policy: "sometimes" is not a valid restart policy/),
      ]);
      await dialog.press('dialog-save-problems', 'cancel');
      expect((await fileOf(s)).text).toBe(BAD(good));

      // A half-typed line is a YAML error: marked in the panel, not taken into the draft.
      await source.replaceText(`${good}  - name: [oops\n`);
      await source.waitStatus(/YAML syntax error/);
      expect(await graph.nodeIds()).toEqual(['api', 'store', 'web', 'worker']);
      expect(await graph.dirty()).toBe(false);
      // The fix, typed over the whole text.
      await source.replaceText(good);
      await source.waitStatus(/^no problems$/);
      await graph.waitErrors('store', 0);
      await graph.waitErrors('api', 0);
      await graph.saveWithKeyboard();
      await graph.waitSaved();
      expect((await fileOf(s)).text).toBe(good);
      expect(await page.locator('form[role="dialog"]').count()).toBe(0);
      expect(await page.getByTestId('problems-toggle').innerText()).toBe('Problems 0');
      expect(await graph.edgeIdsInStore()).toEqual(['api->web', 'api->worker', 'store->api']);
      // Complete and valid: it starts.
      await page.getByTestId('source-close').click();
      await s.app.startAll();
      await page.getByTestId('ready-count').filter({ hasText: '4/4' }).waitFor({ timeout: 60_000 });
    }, SLOW);
  });

  describe('unsaved edits are not lost', () => {
    it('closing the tab with unsaved edits warns (beforeunload); once saved it does not', async () => {
      const s = await session(await serveApp());
      try {
        const { page, graph } = s;
        await graph.dragNode('store', 0, 80);
        await page.locator('[data-testid="file-name"] .dirty').waitFor({ timeout: 10_000 });
        expect(await page.title()).toBe('● services.yaml — Harness');
        await page.getByTestId('save-dot').waitFor();
        const asked = new Promise<string>((resolve) => page.once('dialog', (d) => void d.dismiss().then(() => resolve(d.type()))));
        await page.close({ runBeforeUnload: true });
        expect(await asked).toBe('beforeunload');
        expect(page.isClosed()).toBe(false);
        await graph.saveWithKeyboard();
        await graph.waitSaved();
        expect(await page.title()).toBe('services.yaml — Harness');
        let warned = false;
        page.once('dialog', (d) => {
          warned = true;
          void d.dismiss();
        });
        await page.close({ runBeforeUnload: true });
        await waitUntil('page closed', () => page.isClosed(), 10_000);
        expect(warned).toBe(false);
      } finally {
        if (!s.page.isClosed()) await s.page.close();
        await s.served.stop();
      }
    }, SLOW);

    it('a recovery draft survives the server being killed and is offered by the next one', async () => {
      const first = await serveApp();
      let second: ServedApp | null = null;
      try {
        const s = await session(first);
        await s.graph.selectNode('worker');
        await s.graph.inspector.addItem('target.args', '--recovered');
        await s.graph.inspector.apply();
        await s.page.locator('[data-testid="file-name"] .dirty').waitFor({ timeout: 10_000 });
        const draft = await s.graph.draftText();
        await s.page.close();
        // Killed outright: no shutdown handler runs.
        first.child.kill('SIGKILL');
        await new Promise((r) => first.child.once('exit', r));
        expect(await readFile(first.file!, 'utf8')).not.toContain('--recovered');

        second = await serveApp({ dir: first.dir });
        const t = await session(second);
        await t.dialog.waitFor('dialog-recovery', 15_000);
        expect(await t.dialog.message('dialog-recovery')).toMatch(/^Changes to services\.yaml from .* were never saved/);
        await t.app.screenshot('browser-recovery');
        await t.dialog.press('dialog-recovery', 'restore');
        await t.graph.waitDraft(draft);
        await t.graph.waitDirty(true);
        await t.graph.saveWithKeyboard();
        await t.graph.waitSaved();
        expect(await readFile(second.file!, 'utf8')).toBe(draft);
        await t.page.close();
      } finally {
        await second?.stop();
        await first.stop();
      }
    }, SLOW);
  });
});
