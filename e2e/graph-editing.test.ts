// Editing the graph end to end, in Debian's Chromium against a real `harness serve` on a temp copy
// of the demo: every gesture goes through `project.edit`, is saved with Ctrl+S or the Save button,
// and the test reads services.yaml back from disk: the change is there and the file's comments
// are still there too.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './fixtures/build.js';
import { CHROMIUM_SKIP, HAS_CHROMIUM, launchChromium, type BrowserHandle } from './fixtures/chromium.js';
import { serveApp, type ServedApp } from './fixtures/serve-app.js';
import { AppPage } from './pages/app-page.js';
import { DialogObject } from './pages/dialog.js';
import { GraphEditorObject } from './pages/graph-editor.js';

const SLOW = 120_000;

/** Comments of the demo file, among them the ones inside the services the inspector edits (it
 * changes fields in place, never the whole entry). */
const KEPT_COMMENTS = [
  '# The Harness demo stack: four small Node programs (no dependencies beyond Node itself).',
  '# Run it:   harness up -f examples/demo/services.yaml      (Ctrl-C stops everything)',
  '# looked up on PATH',
  '# Declared ports are what dependents get as <NAME>_PORT (here STORE_PORT).',
  '    dependencies: [store]     # starts once store is healthy; gets STORE_ADDR and STORE_PORT',
  '      path: /health           # /health answers 200 only when the store answers too',
  '    # Ready when this line appears in its output (a regular expression).',
];

interface RawFile {
  services: Array<{ name: string; target: Record<string, unknown>; dependencies?: string[] | null; ui?: { position?: { x: number; y: number } } }>;
}

describe.skipIf(!HAS_CHROMIUM)(`browser: editing the graph saves to services.yaml${CHROMIUM_SKIP}`, () => {
  let served: ServedApp;
  let browser: BrowserHandle;
  let page: Page;
  let app: AppPage;
  let graph: GraphEditorObject;
  let dialog: DialogObject;

  const file = async (): Promise<{ text: string; doc: RawFile }> => {
    const text = await readFile(served.file!, 'utf8');
    return { text, doc: parse(text) as RawFile };
  };
  const service = (doc: RawFile, name: string) => doc.services.find((s) => s.name === name);
  const expectCommentsKept = (text: string) => {
    for (const c of KEPT_COMMENTS) expect(text).toContain(c);
  };

  beforeAll(async () => {
    ensureBuilt();
    served = await serveApp();
    browser = await launchChromium();
    page = await browser.context.newPage();
    app = new AppPage(page);
    graph = new GraphEditorObject(page);
    dialog = new DialogObject(page);
    await app.open(served.url);
    await page.locator('.service-node').first().waitFor({ timeout: 30_000 });
    await app.waitLayoutSettled();
  }, SLOW);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  }, SLOW);

  it('dropping a Docker item asks for its name; the new node asks for an image; Ctrl+S writes it', async () => {
    const box = (await graph.view.boundingBox())!;
    // Below the first column of the demo's layout: free space, clear of the minimap and controls.
    await graph.dropFromPalette('Docker', { x: 160, y: box.height - 200 });
    // A free name is preselected.
    await dialog.waitFor('dialog-new-service');
    expect(await dialog.input('dialog-new-service').inputValue()).toBe('docker');
    await dialog.press('dialog-new-service', 'add');
    await graph.node('docker').waitFor({ timeout: 10_000 });
    expect(await graph.dirty()).toBe(true);
    // No image yet: the file is invalid until one is given, and the node and field say so.
    await graph.waitErrors('docker', 1);
    await page.locator('[data-testid="node-docker"][data-errors="1"]').waitFor({ timeout: 10_000 });
    await graph.selectNode('docker');
    expect(await graph.inspector.problemsAt('target.image')).toBe('must not be empty');
    await graph.inspector.set('target.image', 'nginx:alpine');
    await graph.inspector.apply();
    await graph.waitErrors('docker', 0);
    await graph.saveWithKeyboard();
    await graph.waitSaved();
    const { text, doc } = await file();
    expect(service(doc, 'docker')).toMatchObject({ target: { type: 'Docker', image: 'nginx:alpine' } });
    expect(service(doc, 'docker')!.ui?.position).toEqual({ x: expect.any(Number), y: expect.any(Number) });
    expect(doc.services.map((s) => s.name)).toEqual(['store', 'api', 'web', 'worker', 'docker']);
    expectCommentsKept(text);
    await graph.clickEmpty();
  }, SLOW);

  it('dragging from one handle to another adds a dependency; the Save button writes it', async () => {
    await graph.connect('store', 'web');
    await graph.edge('store', 'web').waitFor({ timeout: 10_000 });
    await graph.saveButton();
    await graph.waitSaved();
    const { text, doc } = await file();
    expect(service(doc, 'web')!.dependencies).toEqual(['api', 'store']);
    expectCommentsKept(text);
  }, SLOW);

  it('a connection that would close a cycle is refused with a message, and nothing changes', async () => {
    const before = await readFile(served.file!, 'utf8');
    const edges = await graph.edgeIds();
    await graph.connect('web', 'store');
    expect(await graph.toast(/would create a dependency cycle/)).toContain('store -> web');
    expect(await graph.edgeIds()).toEqual(edges);
    expect(await graph.dirty()).toBe(false);
    expect(await readFile(served.file!, 'utf8')).toBe(before);
  }, SLOW);

  it('selecting an edge and pressing Delete removes that dependency', async () => {
    await graph.selectEdge('api', 'worker');
    await graph.pressDelete();
    await graph.edge('api', 'worker').waitFor({ state: 'detached', timeout: 10_000 });
    await graph.saveWithKeyboard();
    await graph.waitSaved();
    const { text, doc } = await file();
    expect(service(doc, 'worker')!.dependencies ?? []).toEqual([]);
    expect(service(doc, 'web')!.dependencies).toEqual(['api', 'store']);
    expectCommentsKept(text);
  }, SLOW);

  it('selecting a node and pressing Delete asks first, naming its dependents, then removes it from them', async () => {
    await graph.connect('docker', 'worker');
    await graph.edge('docker', 'worker').waitFor({ timeout: 10_000 });
    await graph.selectNode('docker');
    await graph.pressDelete();
    await dialog.waitFor('dialog-delete');
    expect(await dialog.items('dialog-delete')).toEqual(['worker depends on docker']);
    await dialog.press('dialog-delete', 'delete');
    await graph.node('docker').waitFor({ state: 'detached', timeout: 10_000 });
    await graph.saveWithKeyboard();
    await graph.waitSaved();
    const { text, doc } = await file();
    expect(doc.services.map((s) => s.name)).toEqual(['store', 'api', 'web', 'worker']);
    expect(service(doc, 'worker')!.dependencies ?? []).toEqual([]);
    expectCommentsKept(text);
    // The file stays valid: no dangling "worker depends on docker".
    expect(await page.getByTestId('problems-toggle').innerText()).toBe('Problems 0');
  }, SLOW);

  it('moving a node stores its position (rounded) in ui.position', async () => {
    const before = await graph.node('store').boundingBox();
    await graph.dragNode('store', 0, 160);
    await page.locator('[data-testid="file-name"] .dirty').waitFor({ timeout: 10_000 });
    const after = await graph.node('store').boundingBox();
    expect(after!.y - before!.y).toBeGreaterThan(100);
    await graph.saveWithKeyboard();
    await graph.waitSaved();
    const { text, doc } = await file();
    const pos = service(doc, 'store')!.ui?.position;
    expect(pos).toBeDefined();
    expect(Number.isInteger(pos!.x) && Number.isInteger(pos!.y)).toBe(true);
    // Only the moved node got a position (the palette's docker node is gone by now).
    expect(doc.services.filter((s) => s.name !== 'store' && s.ui?.position)).toEqual([]);
    expectCommentsKept(text);
  }, SLOW);

  it('the inspector edits fields in place: the api keeps its ${VAR} references and its comments', async () => {
    const before = await readFile(served.file!, 'utf8');
    await graph.selectNode('api');
    await graph.inspector.root().waitFor({ timeout: 5_000 });
    expect(await graph.inspector.name()).toBe('api');
    // The fields show the file's text, not the interpolated values (the fixture sets DEMO_API_PORT).
    expect(await graph.inspector.list('target.ports')).toEqual(['${DEMO_API_PORT:-17102}']);
    expect(await graph.inspector.list('target.args')).toEqual(['api.mjs']);
    expect(await graph.inspector.field('target.env-value-0').inputValue()).toBe('${DEMO_API_PORT:-17102}');
    await graph.inspector.addItem('target.args', '--verbose');
    await graph.inspector.choose('restart.policy', 'always');
    await graph.inspector.apply();
    await page.getByTestId('node-api').filter({ hasText: '--verbose' }).waitFor({ timeout: 10_000 });
    await graph.saveWithKeyboard();
    await graph.waitSaved();
    const { text, doc } = await file();
    // Exactly the two fields changed; every other byte of the file is as it was.
    expect(text).toBe(
      before
        .replace('      args: [api.mjs]\n      env:\n        PORT: ${DEMO_API_PORT:-17102}', '      args: [api.mjs, --verbose]\n      env:\n        PORT: ${DEMO_API_PORT:-17102}')
        .replace('      policy: on-failure      # restart', '      policy: always      # restart'),
    );
    expect(text).toContain('        PORT: ${DEMO_API_PORT:-17102}\n');
    expect(text).toContain('      port: ${DEMO_API_PORT:-17102}\n');
    expect(text).toContain('      policy: always      # restart with exponential backoff; a crash loop ends in "failed"\n');
    expect(service(doc, 'api')!.target).toMatchObject({ args: ['api.mjs', '--verbose'], env: { PORT: '${DEMO_API_PORT:-17102}' } });
    expectCommentsKept(text);
    expect(await page.getByTestId('problems-toggle').innerText()).toBe('Problems 0');
  }, SLOW);

  it('the inspector edits a service, and shows the core\'s problems for a bad value', async () => {
    await graph.selectNode('worker');
    await graph.inspector.root().waitFor({ timeout: 5_000 });
    expect(await graph.inspector.name()).toBe('worker');
    expect(await graph.inspector.field('target.binary').inputValue()).toBe('node');
    // Arguments are a list: an item with a space stays one argument.
    await graph.inspector.addItem('target.args', '--label=a b');
    await graph.inspector.apply();
    await page.getByTestId('node-worker').filter({ hasText: '--label=a b' }).waitFor({ timeout: 10_000 });
    await graph.saveWithKeyboard();
    await graph.waitSaved();
    const { text, doc } = await file();
    expect(service(doc, 'worker')!.target).toMatchObject({ type: 'Process', binary: 'node', args: ['worker.mjs', '--label=a b'] });
    expectCommentsKept(text);
    // Ctrl+S with nodes selected saved; it did not also start them (the "s" node command).
    for (const n of ['store', 'api', 'web', 'worker']) expect(await app.node(n).status()).toBe('stopped');
    while ((await page.locator('.toast').count()) > 0) await page.locator('.toast').first().click();
    await app.screenshot('browser-inspector');

    // An empty binary: the loader's message shows at the field while typing, before any Apply;
    // applied, the draft has the problem and the node a marker (the saved file still runs).
    await graph.inspector.set('target.binary', '');
    expect(await graph.inspector.problemsAt('target.binary')).toBe('must not be empty');
    expect(await page.getByTestId('problems-toggle').innerText()).toBe('Problems 0');
    await graph.inspector.apply();
    await graph.waitErrors('worker', 1);
    expect(await page.getByTestId('problems-toggle').innerText()).not.toBe('Problems 0');
  }, SLOW);
});
