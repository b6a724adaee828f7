// The package format: what the root must hold, the manifest, release ids and pruning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkArchive } from './archive-check.js';
import { checkPackageLayout, PackageInvalid, parseReleaseId, releaseId, releasePaths, releasesToPrune } from './package-format.js';
import { ArchiveDir, type TestEntry } from './test-support/archives.js';

let dir: ArchiveDir;
beforeAll(async () => {
  dir = await ArchiveDir.create();
});
afterAll(async () => {
  await dir?.dispose();
});

const START: TestEntry = { name: 'start.sh', mode: 0o755, data: '#!/bin/sh\n' };

async function layoutOf(entries: TestEntry[]) {
  return checkPackageLayout(await checkArchive(await dir.write(entries, { name: `pkg-${Math.random().toString(36).slice(2)}.tar.gz` })));
}

async function problemOf(entries: TestEntry[]): Promise<PackageInvalid> {
  const err = await layoutOf(entries).catch((e) => e);
  expect(err).toBeInstanceOf(PackageInvalid);
  return err as PackageInvalid;
}

describe('package layout', () => {
  it('accepts a start.sh alone, and finds stop.sh, health.sh and the manifest', async () => {
    expect((await layoutOf([START])).start.path).toBe('start.sh');
    const full = await layoutOf([
      START,
      { name: 'stop.sh', mode: 0o755 },
      { name: 'health.sh', mode: 0o700 },
      { name: 'harness-package.json', data: '{"name":"api","version":"1.4.2+build.7","extra":true}' },
    ]);
    expect(full.stop?.path).toBe('stop.sh');
    expect(full.health?.path).toBe('health.sh');
    expect(full.manifest).toEqual({ name: 'api', version: '1.4.2+build.7' });
    expect(full.warnings).toEqual(['harness-package.json: unknown field "extra" ignored']);
  });

  it('names a missing start.sh, and the folder that was packed instead of its contents', async () => {
    expect((await problemOf([{ name: 'README' }])).message).toMatch(/start\.sh is missing; a package needs an executable start\.sh at its root/);
    const nested = await problemOf([{ name: 'app/start.sh', mode: 0o755 }]);
    expect(nested.message).toContain('the archive has it at "app/start.sh"');
    expect(nested.message).toContain('`harness pack app`');
    expect(nested.details).toMatchObject({ file: 'start.sh' });
  });

  it('requires the scripts to be executable regular files', async () => {
    expect((await problemOf([{ name: 'start.sh', mode: 0o644 }])).message).toMatch(/start\.sh is not executable \(mode 0644\); run `chmod \+x start\.sh`/);
    expect((await problemOf([START, { name: 'stop.sh', mode: 0o644 }])).message).toMatch(/stop\.sh is not executable/);
    expect((await problemOf([{ name: 'bin/run', mode: 0o755 }, { name: 'start.sh', type: 'symlink', linkname: 'bin/run' }])).message).toMatch(/start\.sh must be a regular file, not a symlink/);
    // A hardlink becomes a regular file when extracted.
    expect((await layoutOf([{ name: 'bin/run', mode: 0o755 }, { name: 'start.sh', type: 'link', linkname: 'bin/run' }])).start.type).toBe('hardlink');
  });

  it('validates the manifest', async () => {
    expect((await problemOf([START, { name: 'harness-package.json', data: '{"name": "api",' }])).message).toMatch(/harness-package\.json is not valid JSON/);
    expect((await problemOf([START, { name: 'harness-package.json', data: '[1]' }])).message).toMatch(/must be a JSON object/);
    expect((await problemOf([START, { name: 'harness-package.json', data: '{"name":"a b","version":"1"}' }])).message).toMatch(/field "name" must be a string like "api"/);
    expect((await problemOf([START, { name: 'harness-package.json', data: '{"name":"api"}' }])).message).toMatch(/field "version" must be a string like "1\.4\.2"/);
    const big = `{"name":"api","version":"1","pad":"${'x'.repeat(70_000)}"}`;
    expect((await problemOf([START, { name: 'harness-package.json', data: big }])).message).toMatch(/harness-package\.json is larger than the limit/);
  });
});

describe('releases', () => {
  const sha = 'ab'.repeat(32);

  it('ids sort by deploy time and name the content', () => {
    const id = releaseId(sha, new Date(Date.UTC(2025, 2, 14, 9, 15, 2, 345)));
    expect(id).toBe('20250314T091502Z-abababababab');
    expect(parseReleaseId(id)).toEqual({ at: new Date(Date.UTC(2025, 2, 14, 9, 15, 2)), sha12: 'abababababab' });
    expect(parseReleaseId('current')).toBeNull();
    expect(parseReleaseId('20251399T999999Z-abababababab')).toBeNull();
    expect(() => releaseId('nope')).toThrow(/not a sha256/);
  });

  it('lives under <install_root>/<service>', () => {
    const p = releasePaths('/opt/harness/', 'api');
    expect([p.service, p.releases, p.current, p.previous, p.data, p.release('x')]).toEqual([
      '/opt/harness/api', '/opt/harness/api/releases', '/opt/harness/api/current', '/opt/harness/api/previous', '/opt/harness/api/data', '/opt/harness/api/releases/x',
    ]);
    expect(() => releasePaths('opt', 'api')).toThrow(/absolute/);
  });

  it('prunes the oldest releases beyond the bound, never the current or previous one, nor foreign names', () => {
    const ids = ['20250101T000000Z-000000000001', '20250102T000000Z-000000000002', '20250103T000000Z-000000000003', '20250104T000000Z-000000000004', 'notes.txt'];
    expect(releasesToPrune(ids, ids[3], ids[2], 5)).toEqual([]);
    expect(releasesToPrune(ids, ids[3], ids[2], 2)).toEqual([ids[0], ids[1]]);
    // After a rollback the current one is old: it stays, the next oldest go.
    expect(releasesToPrune(ids, ids[0], ids[3], 3)).toEqual([ids[1]]);
    // Never fewer than the two that matter.
    expect(releasesToPrune(ids, ids[3], ids[2], 0)).toEqual([ids[0], ids[1]]);
  });
});
