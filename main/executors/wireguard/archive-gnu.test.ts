// Archives made by GNU tar, in the encodings real tools write (GNU long names and long links,
// pax, ustar with a prefix field), good and malicious: the checker reads them as GNU tar does.
import { chmod, link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalizeArchive, checkArchive } from './archive-check.js';
import { ArchiveRejected } from './archive-rejection.js';
import { ArchiveDir } from './test-support/archives.js';
import { gnuTar, gnuTarSkipReason, snapshotTree } from './test-support/gnu-tar.js';

const skip = await gnuTarSkipReason();

const LONG_DIR = `dir-${'d'.repeat(110)}`;
const LONG_FILE = `file-${'f'.repeat(150)}.txt`;
const LONG_TARGET = `${LONG_DIR}/${LONG_FILE}`;

describe.skipIf(skip !== null)(`archives written by GNU tar${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: ArchiveDir;
  let src: string;

  beforeAll(async () => {
    dir = await ArchiveDir.create();
    src = dir.path('src');
    await mkdir(join(src, LONG_DIR), { recursive: true });
    await mkdir(join(src, 'empty'));
    await writeFile(join(src, 'start.sh'), '#!/bin/sh\nexec sleep 1000\n');
    await chmod(join(src, 'start.sh'), 0o755);
    await writeFile(join(src, LONG_DIR, LONG_FILE), 'long\n');
    await writeFile(join(src, 'naïve.txt'), 'unicode\n');
    await symlink(LONG_TARGET, join(src, 'to-long'));
    await link(join(src, 'start.sh'), join(src, 'start-again.sh'));
  });
  afterAll(async () => {
    await dir?.dispose();
  });

  it.each(['gnu', 'pax', 'posix', 'oldgnu'])('--format=%s: long names, a long link target, a hardlink and unicode read as written', async (format) => {
    const file = dir.path(`good-${format}.tar.gz`);
    await gnuTar(['-czf', file, `--format=${format}`, '-C', src, '.']);
    const c = await checkArchive(file);
    const byPath = Object.fromEntries(c.members.map((m) => [m.path, m]));
    expect(byPath[LONG_TARGET]).toMatchObject({ type: 'file', size: 5 });
    expect(byPath['to-long']).toMatchObject({ type: 'symlink', target: LONG_TARGET });
    expect(byPath['naïve.txt']).toMatchObject({ type: 'file' });
    expect(byPath.empty).toMatchObject({ type: 'directory' });
    // GNU tar stores the second name of a file as a hardlink to the first, in walk order.
    const links = c.members.filter((m) => m.type === 'hardlink');
    expect(links).toHaveLength(1);
    expect(['start.sh', 'start-again.sh']).toContain(links[0].target);

    // Extracted from the canonical form, the tree is the source folder's.
    const canon = await canonicalizeArchive(file, dir.path(`good-${format}.tar`));
    const out = dir.path(`out-${format}`);
    await mkdir(out);
    await gnuTar(['-x', '--no-same-owner', '-f', canon.written.file, '-C', out]);
    const [got, want] = [await snapshotTree(out), await snapshotTree(src)];
    // Directories come out 0755 whatever the source's umask made them.
    for (const e of Object.values(want)) if (e.type === 'dir') e.mode = 0o755;
    expect(got).toEqual(want);
  });

  it('--format=ustar (name split into prefix and name) reads the same', async () => {
    const s = dir.path('ustar-src');
    const mid = `${'p'.repeat(90)}/${'q'.repeat(50)}`;
    await mkdir(join(s, mid), { recursive: true });
    await writeFile(join(s, mid, 'x.txt'), 'x');
    const file = dir.path('ustar.tar');
    await gnuTar(['-cf', file, '--format=ustar', '-C', s, '.']);
    const c = await checkArchive(file);
    expect(c.members.map((m) => m.path)).toContain(`${mid}/x.txt`);
  });

  it('refuses what GNU tar writes when told to: absolute names, ".." through --transform, escaping links', async () => {
    const abs = dir.path('abs.tar');
    await gnuTar(['-cPf', abs, join(src, 'start.sh')]);
    await expect(checkArchive(abs)).rejects.toMatchObject({ details: { rule: 'absolute-path', member: join(src, 'start.sh') } });

    // A long '..' name: GNU writes it in a long-name header ('L'), pax in a 'path' record.
    for (const format of ['gnu', 'pax']) {
      const up = dir.path(`up-${format}.tar`);
      await gnuTar(['-cf', up, `--format=${format}`, '--transform', `s,^\\./${LONG_DIR},../../${LONG_DIR},`, '-C', src, `./${LONG_DIR}`]);
      const err = (await checkArchive(up).catch((e) => e)) as ArchiveRejected;
      expect(err).toBeInstanceOf(ArchiveRejected);
      expect(err.rule).toBe('dot-dot');
      expect(err.member?.startsWith('../../dir-ddd')).toBe(true);
    }

    const esc = dir.path('esc-src');
    await mkdir(join(esc, 'sub'), { recursive: true });
    await writeFile(join(esc, 'start.sh'), '#!/bin/sh\n');
    await symlink('../../../../etc/passwd', join(esc, 'sub', 'pw'));
    const escTar = dir.path('esc.tar');
    await gnuTar(['-cf', escTar, '-C', esc, '.']);
    await expect(checkArchive(escTar)).rejects.toMatchObject({ details: { rule: 'link-escape', member: './sub/pw' } });
  });

  it('refuses the v7 format, which has no magic to tell a header from data', async () => {
    const file = dir.path('v7.tar');
    const s = dir.path('v7-src');
    await mkdir(s);
    await writeFile(join(s, 'start.sh'), '#!/bin/sh\n');
    await gnuTar(['-cf', file, '--format=v7', '-C', s, 'start.sh']);
    await expect(checkArchive(file)).rejects.toMatchObject({ details: { rule: 'not-an-archive' } });
  });
});
