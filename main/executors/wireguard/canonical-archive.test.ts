// The canonical archive is what the host's `tar` reads: GNU tar must list exactly the members the
// checker accepted (and nothing an odd encoding hid from one reader or the other), extracting it
// must write only inside the target directory, and canonicalizing twice must change nothing.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalizeArchive, type CanonicalArchive } from './archive-check.js';
import { ancestors } from './archive-paths.js';
import type { CheckedMember } from './archive-tree.js';
import { ArchiveDir, rawHeader, rawTar, tarOf, type TestEntry } from './test-support/archives.js';
import { gnuList, gnuTar, gnuTarSkipReason, snapshotTree, type ListedEntry, type TreeEntry } from './test-support/gnu-tar.js';

const skip = await gnuTarSkipReason();

let dir: ArchiveDir;
beforeAll(async () => {
  dir = await ArchiveDir.create();
});
afterAll(async () => {
  await dir?.dispose();
});

const modeString = (type: string, mode: number): string => {
  const bits = 'rwxrwxrwx';
  return (type === 'dir' ? 'd' : type === 'symlink' ? 'l' : '-') + [...bits].map((c, i) => (mode & (1 << (8 - i)) ? c : '-')).join('');
};

/** What `tar -tv` of the canonical archive must print: parents before children, hardlinks as
 * copies after every other member. */
function expectedListing(members: CheckedMember[]): ListedEntry[] {
  const out: ListedEntry[] = [];
  const dirs = new Set<string>();
  const dirEntry = (p: string) => {
    if (dirs.has(p)) return;
    dirs.add(p);
    out.push({ kind: 'd', mode: 'rwxr-xr-x', path: p, size: 0 });
  };
  const ordered = [...members.filter((m) => m.type !== 'hardlink'), ...members.filter((m) => m.type === 'hardlink')];
  for (const m of ordered) {
    for (const a of ancestors(m.path)) dirEntry(a);
    if (m.type === 'directory') dirEntry(m.path);
    else if (m.type === 'symlink') out.push({ kind: 'l', mode: 'rwxrwxrwx', path: m.path, target: m.target, size: 0 });
    else out.push({ kind: '-', mode: modeString('file', m.mode).slice(1), path: m.path, size: m.size });
  }
  return out;
}

/** Extracts with GNU tar as the deployer's host will, and checks nothing lands beside `out`. */
async function extract(c: CanonicalArchive, name: string): Promise<Record<string, TreeEntry>> {
  const box = dir.path(`box-${name}`);
  const out = join(box, 'out');
  await mkdir(out, { recursive: true });
  await gnuTar(['-x', '--no-same-owner', '-f', c.written.file, '-C', out]);
  expect(await readdir(box)).toEqual(['out']);
  return snapshotTree(out);
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe.skipIf(skip !== null)(`the canonical archive read by GNU tar${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const sample: TestEntry[] = [
    { name: './', type: 'directory' },
    { name: 'start.sh', mode: 0o755, data: '#!/bin/sh\nexec sleep 1000\n' },
    { name: './bin//tool', mode: 0o6755, data: 'tool' },
    { name: 'deep/er/still/file.txt', data: 'deep' },
    { name: 'lib/', type: 'directory', mode: 0o700 },
    { name: 'lib/a.txt', mode: 0o640, data: 'a' },
    { name: 'lib/up', type: 'symlink', linkname: '../bin/tool' },
    { name: `long/${'n'.repeat(120)}/${'m'.repeat(120)}.txt`, data: 'long' },
    { name: `ünïcødé/日本語.txt`, data: 'unicode' },
    { name: 'far', type: 'symlink', linkname: `deep/er/./still/${'../'.repeat(3)}lib/${'x'.repeat(120)}` },
    { name: 'copy', type: 'link', linkname: 'lib/a.txt' },
    { name: 'empty' , data: '' },
  ];

  it('lists exactly the checked members, and extracts them and nothing else', async () => {
    const file = await dir.write(sample);
    const c = await canonicalizeArchive(file, dir.path('sample.tar'));
    expect(await gnuList(c.written.file)).toEqual(expectedListing(c.checked.members));
    const tree = await extract(c, 'sample');
    expect(tree['start.sh']).toEqual({ type: 'file', mode: 0o755, content: sha('#!/bin/sh\nexec sleep 1000\n') });
    expect(tree['bin/tool']).toEqual({ type: 'file', mode: 0o755, content: sha('tool') });
    expect(tree['lib']).toEqual({ type: 'dir', mode: 0o755 });
    expect(tree['lib/a.txt']).toEqual({ type: 'file', mode: 0o640, content: sha('a') });
    expect(tree['copy']).toEqual(tree['lib/a.txt']);
    expect(tree['lib/up']).toEqual({ type: 'symlink', mode: 0o777, content: '../bin/tool' });
    expect(tree['ünïcødé/日本語.txt'].content).toBe(sha('unicode'));
    const fromMembers = new Set(c.checked.members.flatMap((m) => [...ancestors(m.path), m.path]));
    expect(new Set(Object.keys(tree))).toEqual(fromMembers);
    expect(c.written.entries).toBe(expectedListing(c.checked.members).length);
  });

  it('is the same archive when canonicalized again, and the same content compressed or not', async () => {
    const file = await dir.write(sample);
    const once = await canonicalizeArchive(file, dir.path('once.tar'));
    const twice = await canonicalizeArchive(once.written.file, dir.path('twice.tar'));
    expect(twice.written.sha256).toBe(once.written.sha256);
    expect(await readFile(twice.written.file)).toEqual(await readFile(once.written.file));
    const gz = await canonicalizeArchive(file, dir.path('once.tar.gz'), { compression: 'gzip' });
    expect(gz.written.tarSha256).toBe(once.written.tarSha256);
    expect(gz.written.sha256).not.toBe(once.written.sha256);
    expect(gz.written.sha256).toBe(sha(await readFile(gz.written.file)));
    expect(await gnuList(gz.written.file)).toEqual(await gnuList(once.written.file));
  });

  it('shows the host every member this side saw, even one GNU tar would not have read in the original', async () => {
    // Members after an end-of-archive marker: GNU tar stops at the marker, tar-stream reads on.
    // Either way the host sees what was checked, because the host only gets the canonical form.
    const first = await tarOf([{ name: 'start.sh', mode: 0o755, data: '#!/bin/sh\n' }]);
    const hidden = rawTar([rawHeader('after-the-end', '0', 0)]);
    const original = await dir.write(Buffer.concat([first, hidden]), { gzip: false });
    expect((await gnuList(original)).map((e) => e.path)).toEqual(['start.sh']);
    const c = await canonicalizeArchive(original, dir.path('after-end.tar'));
    expect(c.checked.members.map((m) => m.path)).toEqual(['start.sh', 'after-the-end']);
    expect((await gnuList(c.written.file)).map((e) => e.path)).toEqual(['start.sh', 'after-the-end']);
  });

  it('any valid tree: GNU tar lists what was checked, and a second canonicalization is byte-identical', async () => {
    const name = fc.constantFrom('a', 'b', 'c', 'D', 'é', 'x y');
    const relPath = fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => p.join('/'));
    const node = fc.record({ path: relPath, kind: fc.constantFrom('file', 'dir', 'link', 'hard'), data: fc.string({ maxLength: 40 }), exec: fc.boolean() });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(node, { minLength: 1, maxLength: 12 }), async (nodes) => {
        const entries = treeEntries(nodes);
        const file = await dir.write(entries);
        const n = ++run;
        const once = await canonicalizeArchive(file, dir.path(`p${n}.tar`));
        expect(await gnuList(once.written.file)).toEqual(expectedListing(once.checked.members));
        const twice = await canonicalizeArchive(once.written.file, dir.path(`p${n}b.tar`));
        expect(twice.written.sha256).toBe(once.written.sha256);
        const tree = await extract(once, `p${n}`);
        expect(Object.keys(tree).length).toBe(expectedListing(once.checked.members).length);
      }),
      { numRuns: 40, seed: 20250101 },
    );
  }, 120_000);
});

/** A valid archive from arbitrary nodes: later nodes that would collide with earlier ones (or lie
 * under a file or link) are dropped; links point at earlier files. */
function treeEntries(nodes: Array<{ path: string; kind: string; data: string; exec: boolean }>): TestEntry[] {
  const kinds = new Map<string, 'dir' | 'file' | 'link'>();
  const key = (p: string) => p.normalize('NFD').toUpperCase();
  const byKey = new Map<string, string>();
  const files: string[] = [];
  const out: TestEntry[] = [];
  for (const n of nodes) {
    const parents = ancestors(n.path);
    if (parents.some((p) => (kinds.has(p) && kinds.get(p) !== 'dir') || (byKey.has(key(p)) && byKey.get(key(p)) !== p))) continue;
    if (byKey.has(key(n.path))) continue;
    if ([...kinds.keys()].some((k) => k.startsWith(`${n.path}/`))) continue;
    if ((n.kind === 'hard' || n.kind === 'link') && files.length === 0) continue;
    for (const p of parents) {
      kinds.set(p, 'dir');
      byKey.set(key(p), p);
    }
    byKey.set(key(n.path), n.path);
    if (n.kind === 'dir') {
      kinds.set(n.path, 'dir');
      out.push({ name: `${n.path}/`, type: 'directory' });
    } else if (n.kind === 'file') {
      kinds.set(n.path, 'file');
      files.push(n.path);
      out.push({ name: n.path, data: n.data, mode: n.exec ? 0o755 : 0o644 });
    } else if (n.kind === 'hard') {
      kinds.set(n.path, 'file');
      out.push({ name: n.path, type: 'link', linkname: files[n.data.length % files.length] });
    } else {
      kinds.set(n.path, 'link');
      const to = files[n.data.length % files.length];
      const up = '../'.repeat(ancestors(n.path).length);
      out.push({ name: n.path, type: 'symlink', linkname: `${up}${to}` });
    }
  }
  return out;
}
