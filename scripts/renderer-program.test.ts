// The renderer's TypeScript program (renderer/tsconfig.json) is browser code: no Node types and no
// file from main/ or electron/. shared/ test files may use Node; the root tsconfig checks them.
import { execFile } from 'node:child_process';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

async function programFiles(project: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [TSC, '-p', project, '--listFilesOnly'], { cwd: ROOT, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter(Boolean);
}

const own = (files: string[]) =>
  files.filter((f) => !f.split(/[\\/]/).includes('node_modules')).map((f) => relative(ROOT, f).split(sep).join('/'));

describe('TypeScript programs', () => {
  let renderer: string[];
  let rootProject: string[];
  beforeAll(async () => {
    renderer = await programFiles('renderer/tsconfig.json');
    rootProject = await programFiles('tsconfig.json');
  }, 240_000);

  it('the renderer program holds no Node types', () => {
    expect(renderer.length).toBeGreaterThan(50);
    expect(renderer.filter((f) => /[\\/]@types[\\/]node[\\/]/.test(f))).toEqual([]);
  });

  it('the renderer program holds only renderer/src and shared/ sources, and no shared/ test code', () => {
    const files = own(renderer);
    expect(files.some((f) => f.startsWith('renderer/src/'))).toBe(true);
    expect(files.filter((f) => !f.startsWith('renderer/src/') && !f.startsWith('shared/'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('shared/') && /\.test(-suite)?\.ts$|\/test-support\//.test(f))).toEqual([]);
  });

  it('shared/ test files are type-checked by the root project instead', () => {
    const files = own(rootProject);
    expect(files).toContain('shared/duration.test.ts');
    expect(files.filter((f) => f.startsWith('renderer/'))).toEqual([]);
  });
});
