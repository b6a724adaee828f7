// The product renderer carries no test hooks; the --test-hooks build (what the e2e specs and UI
// benches drive) does. Both are built into temp dirs, so dist/renderer is left alone.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const HOOK_NAMES = ['__harness', 'renderCounts', 'zoomForBench', 'dropConnection', '(graph-view)'];

async function buildInto(dir: string, testHooks: boolean): Promise<string> {
  const args = [join(ROOT, 'scripts', 'build-renderer.mjs'), '--out-dir', dir, ...(testHooks ? ['--test-hooks'] : [])];
  await promisify(execFile)(process.execPath, args, { cwd: ROOT, timeout: 240_000 });
  const assets = join(dir, 'assets');
  const js = (await readdir(assets)).filter((f) => f.endsWith('.js'));
  return (await Promise.all(js.map((f) => readFile(join(assets, f), 'utf8')))).join('\n');
}

describe('renderer build', () => {
  let tmp: string;
  let product: string;
  let withHooks: string;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'harness-renderer-build-'));
    // One after the other: two Vite builds at once would take both cores.
    product = await buildInto(join(tmp, 'product'), false);
    withHooks = await buildInto(join(tmp, 'test'), true);
  }, 480_000);
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('the product bundle holds none of the test hooks', () => {
    expect(product.length).toBeGreaterThan(100_000);
    for (const name of HOOK_NAMES) expect(product.includes(name), `"${name}" in the product bundle`).toBe(false);
    expect(existsSync(join(tmp, 'product', '.test-hooks'))).toBe(false);
  });

  it('the --test-hooks bundle holds every hook and is marked as the test build', () => {
    for (const name of HOOK_NAMES) expect(withHooks.includes(name), `"${name}" in the test bundle`).toBe(true);
    expect(existsSync(join(tmp, 'test', '.test-hooks'))).toBe(true);
  });
});
