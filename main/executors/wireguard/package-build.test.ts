// Building a package from a folder, and preparing it for a deploy (check, canonical form, cache).
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalizeArchive, checkArchive } from './archive-check.js';
import { buildPackage, DEFAULT_PACK_MTIME } from './package-build.js';
import { preparePackage } from './package-prep.js';
import { ArchiveDir } from './test-support/archives.js';

let dir: ArchiveDir;
let n = 0;
beforeAll(async () => {
  dir = await ArchiveDir.create();
});
afterAll(async () => {
  await dir?.dispose();
});

async function folder(files: Record<string, string | { link: string } | { mode: number; data: string }>): Promise<string> {
  const root = dir.path(`src-${++n}`);
  await mkdir(root);
  for (const [rel, v] of Object.entries(files)) {
    const p = join(root, rel);
    await mkdir(join(p, '..'), { recursive: true });
    if (typeof v === 'string') await writeFile(p, v);
    else if ('link' in v) await symlink(v.link, p);
    else {
      await writeFile(p, v.data);
      await chmod(p, v.mode);
    }
  }
  return root;
}

const START = { mode: 0o755, data: '#!/bin/sh\nexec sleep 1000\n' };

describe('buildPackage', () => {
  it('writes the same bytes for the same folder, whatever the files\' times, in byte order of names', async () => {
    const a = await folder({ 'start.sh': START, 'b.txt': 'b', 'a/z.txt': 'z', 'C.txt': 'C', 'a/y': { link: 'z.txt' } });
    const one = await buildPackage(a, { output: dir.path('one.tar.gz') });
    await utimes(join(a, 'b.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const two = await buildPackage(a, { output: dir.path('two.tar.gz') });
    expect(two.sha256).toBe(one.sha256);
    expect(createHash('sha256').update(await readFile(one.file)).digest('hex')).toBe(one.sha256);
    const c = await checkArchive(one.file);
    expect(c.members.map((m) => m.path)).toEqual(['C.txt', 'a', 'a/y', 'a/z.txt', 'b.txt', 'start.sh']);
    expect(new Set(c.members.map((m) => m.mtime))).toEqual(new Set([0, DEFAULT_PACK_MTIME]));
    expect(c.members.find((m) => m.path === 'start.sh')?.mode).toBe(0o755);
  });

  it('is already canonical: the deployer\'s canonical form of it has the same tar stream', async () => {
    const a = await folder({ 'start.sh': START, 'lib/x/y.txt': 'y', 'lib/link': { link: 'x/y.txt' }, 'empty.txt': '' });
    const built = await buildPackage(a, { output: dir.path('canon.tar.gz') });
    const c = await canonicalizeArchive(built.file, dir.path('canon.tar'));
    expect(c.written.tarSha256).toBe(built.tarSha256);
  });

  it('uses SOURCE_DATE_EPOCH for every file time', async () => {
    const a = await folder({ 'start.sh': START });
    const built = await buildPackage(a, { output: dir.path('sde.tar.gz'), env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect((await checkArchive(built.file)).members[0].mtime).toBe(1_700_000_000);
  });

  it('leaves out the archive it writes when that is inside the folder', async () => {
    const a = await folder({ 'start.sh': START });
    const out = join(a, 'pkg.tar.gz');
    await buildPackage(a, { output: out });
    const again = await buildPackage(a, { output: out });
    expect((await checkArchive(again.file)).members.map((m) => m.path)).toEqual(['start.sh']);
  });

  it('refuses a folder without an executable start.sh, naming the file and the fix', async () => {
    const none = await folder({ 'README': 'x' });
    await expect(buildPackage(none, { output: dir.path('x1.tar.gz') })).rejects.toThrow(/start\.sh: missing: a package needs an executable start\.sh/);
    const plain = await folder({ 'start.sh': '#!/bin/sh\n' });
    await expect(buildPackage(plain, { output: dir.path('x2.tar.gz') })).rejects.toThrow(/start\.sh: not executable; run `chmod \+x .*start\.sh`/);
    await expect(buildPackage(dir.path('nope'), { output: dir.path('x3.tar.gz') })).rejects.toThrow(/nope: not a directory/);
  });

  it('refuses links that leave the folder and files that are not files, and writes nothing', async () => {
    const abs = await folder({ 'start.sh': START, 'etc': { link: '/etc' } });
    await expect(buildPackage(abs, { output: dir.path('y1.tar.gz') })).rejects.toThrow(/etc: a symlink to "\/etc": links in a package must be relative/);
    await expect(stat(dir.path('y1.tar.gz'))).rejects.toThrow();
    const esc = await folder({ 'start.sh': START, 'sub/up': { link: '../../x' } });
    // The escape is found by the same check the deployer runs, on the archive just written.
    const built = await buildPackage(esc, { output: dir.path('y2.tar.gz') });
    await expect(checkArchive(built.file)).rejects.toMatchObject({ details: { rule: 'link-escape', member: 'sub/up' } });
    const sock = await folder({ 'start.sh': START });
    const server = createServer();
    await new Promise<void>((r) => server.listen(join(sock, 'app.sock'), () => r()));
    try {
      await expect(buildPackage(sock, { output: dir.path('y3.tar.gz') })).rejects.toThrow(/app\.sock: is a socket, FIFO or device/);
    } finally {
      server.close();
    }
  });
});

describe('preparePackage', () => {
  it('checks, canonicalizes and validates once, then answers from the cache until the file changes', async () => {
    const a = await folder({ 'start.sh': START, 'harness-package.json': '{"name":"api","version":"2"}' });
    const pkg = dir.path('prep.tar.gz');
    await buildPackage(a, { output: pkg });
    const cacheDir = dir.path('cache');
    const seen: number[] = [];
    const first = await preparePackage(pkg, { cacheDir, onProgress: (done, total) => seen.push(done / total) });
    expect(first.cached).toBe(false);
    expect(seen.at(-1)).toBe(1);
    expect(first.layout.manifest).toEqual({ name: 'api', version: '2' });
    expect(first.written.file.startsWith(cacheDir)).toBe(true);
    expect(first.written.compression).toBe('none');
    const second = await preparePackage(pkg, { cacheDir });
    expect(second.cached).toBe(true);
    expect(second.written).toEqual(first.written);

    await writeFile(join(a, 'start.sh'), '#!/bin/sh\necho changed\n');
    await buildPackage(a, { output: pkg });
    const third = await preparePackage(pkg, { cacheDir });
    expect(third.cached).toBe(false);
    expect(third.written.tarSha256).not.toBe(first.written.tarSha256);

    // A canonical archive deleted behind the cache's back is made again.
    await rm(third.written.file);
    const fourth = await preparePackage(pkg, { cacheDir });
    expect(fourth.cached).toBe(false);
    expect((await stat(fourth.written.file)).size).toBe(fourth.written.bytes);
  });

  it('keeps a bounded number of canonical archives', async () => {
    const cacheDir = dir.path('cache-bounded');
    for (let i = 0; i < 4; i++) {
      const a = await folder({ 'start.sh': { mode: 0o755, data: `#!/bin/sh\necho ${i}\n` } });
      await buildPackage(a, { output: dir.path(`b${i}.tar.gz`) });
      await preparePackage(dir.path(`b${i}.tar.gz`), { cacheDir, keep: 2 });
    }
    const names = await readdir(cacheDir);
    expect(names.filter((x) => x.endsWith('.tar'))).toHaveLength(2);
    expect(names.filter((x) => x.startsWith('index-'))).toHaveLength(2);
  });

  it('refuses a bad package and caches nothing for it', async () => {
    const a = await folder({ 'start.sh': START });
    const pkg = dir.path('bad.tar.gz');
    await buildPackage(a, { output: pkg });
    await writeFile(pkg, Buffer.from('not an archive at all'));
    const cacheDir = dir.path('cache-bad');
    await expect(preparePackage(pkg, { cacheDir })).rejects.toMatchObject({ details: { rule: 'not-an-archive' } });
    expect(await readdir(cacheDir)).toEqual([]);
  });
});
