// The archive checker against the node-tar advisories and the other ways an archive can write
// outside its directory or hide what it holds: each malicious archive is built here byte by byte
// and must be refused with its member and rule, leaving nothing written.
import { readdir, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalizeArchive, checkArchive } from './archive-check.js';
import type { ArchiveLimits } from './archive-limits.js';
import { ArchiveRejected, type ArchiveRule } from './archive-rejection.js';
import { ArchiveDir, rawHeader, rawTar, tarOf, type TestEntry } from './test-support/archives.js';

let dir: ArchiveDir;
beforeAll(async () => {
  dir = await ArchiveDir.create();
});
afterAll(async () => {
  await dir?.dispose();
});

const START: TestEntry = { name: 'start.sh', mode: 0o755, data: '#!/bin/sh\nexec sleep 1000\n' };

/** Expects the archive to be refused for `rule` at `member`, by the check and by the
 * canonicalizer, and the canonicalizer to leave nothing behind. */
async function expectRejected(content: TestEntry[] | Buffer, rule: ArchiveRule, member: string | undefined, limits: Partial<ArchiveLimits> = {}, gzip = true): Promise<ArchiveRejected> {
  const file = await dir.write(content, { gzip });
  const before = (await readdir(dir.dir)).sort();
  let err: unknown;
  try {
    await checkArchive(file, { limits });
  } catch (e) {
    err = e;
  }
  expect(err, `expected rule ${rule}`).toBeInstanceOf(ArchiveRejected);
  const r = err as ArchiveRejected;
  expect({ rule: r.rule, member: r.member }).toEqual({ rule, member });
  expect(r.message).toContain(`[rule ${rule}]`);
  if (member !== undefined) expect(r.message).toContain(JSON.stringify(member));
  const dest = dir.path(`canonical-${rule}-${Math.random().toString(36).slice(2)}.tar`);
  await expect(canonicalizeArchive(file, dest, { limits })).rejects.toMatchObject({ details: { rule, ...(member !== undefined ? { member } : {}) } });
  expect((await readdir(dir.dir)).sort()).toEqual(before);
  return r;
}

describe('the node-tar advisories', () => {
  it('GHSA-r628-mhmh-qjhw: a directory, then a symlink of the same name, then a file under it', async () => {
    await expectRejected([START, { name: 'a/', type: 'directory' }, { name: 'a', type: 'symlink', linkname: '/tmp' }, { name: 'a/x', data: 'pwned' }], 'duplicate', 'a');
    // The same with a link that stays inside: the file would still be written through the link.
    await expectRejected([START, { name: 'sub/', type: 'directory' }, { name: 'a', type: 'symlink', linkname: 'sub' }, { name: 'a/x' }], 'through-link', 'a/x');
  });

  it('GHSA-3jfq-g458-7qm9: "////home/x" and every other absolute spelling', async () => {
    await expectRejected([START, { name: '////home/x' }], 'absolute-path', '////home/x');
    await expectRejected([START, { name: '/etc/cron.d/x' }], 'absolute-path', '/etc/cron.d/x');
    await expectRejected([START, { name: 'C:/Windows/x' }], 'absolute-path', 'C:/Windows/x');
    await expectRejected([START, { name: 'c:x' }], 'absolute-path', 'c:x');
  });

  it('GHSA-9r2w-394v-53qc: a backslash in a name, and names equal but for case', async () => {
    await expectRejected([START, { name: 'a\\b' }], 'backslash', 'a\\b');
    await expectRejected([START, { name: '..\\..\\x' }], 'backslash', '..\\..\\x');
    await expectRejected([START, { name: 'README' }, { name: 'readme' }], 'case-collision', 'readme');
    await expectRejected([START, { name: 'Lib/', type: 'directory' }, { name: 'lib/x' }], 'case-collision', 'lib/x');
    // On a case-insensitive filesystem "X/y" goes through the symlink "x".
    await expectRejected([START, { name: 'd/', type: 'directory' }, { name: 'x', type: 'symlink', linkname: 'd' }, { name: 'X/y' }], 'case-collision', 'X/y');
    // Full case folding: ß is SS.
    await expectRejected([START, { name: 'STRASSE' }, { name: 'straße' }], 'case-collision', 'straße');
  });

  it('GHSA-qq89-hq3f-393p: names equal after Unicode normalization (NFC/NFD) or with ignorable code points', async () => {
    await expectRejected([START, { name: 'caf\u00e9' }, { name: 'cafe\u0301' }], 'unicode-collision', 'cafe\u0301');
    await expectRejected([START, { name: 'cafe\u0301/', type: 'directory' }, { name: 'caf\u00e9/x' }], 'unicode-collision', 'caf\u00e9/x');
    await expectRejected([START, { name: '.git/config' }, { name: '.g\u200cit/config' }], 'unicode-collision', '.g\u200cit/config');
  });

  it('CVE-2026-26960: a chain of relative links, each inside on its own, then a hardlink through it', async () => {
    // a/l1 -> .. is the root; l2 -> a/l1/.. is, read as text, "a" — but through l1 it is the
    // root's parent. A hardlink named through l2 would link a file of the host.
    const chain: TestEntry[] = [START, { name: 'a/', type: 'directory' }, { name: 'a/l1', type: 'symlink', linkname: '..' }, { name: 'l2', type: 'symlink', linkname: 'a/l1/..' }];
    await expectRejected([...chain, { name: 'exfil', type: 'link', linkname: 'l2/etc/passwd' }], 'hardlink-target', 'exfil');
    const r = await expectRejected(chain, 'link-escape', 'l2');
    expect(r.message).toContain('through the symlink "a/l1"');
    // Deeper: every link climbs a little, none alone leaves.
    await expectRejected(
      [
        START,
        { name: 'd1/d2/d3/', type: 'directory' },
        { name: 'd1/d2/d3/up', type: 'symlink', linkname: '../..' },
        { name: 'd1/d2/up', type: 'symlink', linkname: 'd3/up/../..' },
      ],
      'link-escape',
      'd1/d2/up',
    );
  });

  it('a link defined after the link that goes through it is still followed', async () => {
    await expectRejected([START, { name: 'l2', type: 'symlink', linkname: 'a/l1/..' }, { name: 'a/', type: 'directory' }, { name: 'a/l1', type: 'symlink', linkname: '..' }], 'link-escape', 'l2');
  });
});

describe('links', () => {
  it('refuses absolute link targets, symlinks and hardlinks alike', async () => {
    await expectRejected([START, { name: 'etc', type: 'symlink', linkname: '/etc' }], 'link-absolute', 'etc');
    await expectRejected([START, { name: 'pw', type: 'link', linkname: '/etc/passwd' }], 'link-absolute', 'pw');
    await expectRejected([START, { name: 'pw', type: 'link', linkname: '///etc/passwd' }], 'link-absolute', 'pw');
  });

  it('refuses hardlink traversal and hardlinks to anything but an earlier regular file', async () => {
    await expectRejected([START, { name: 'h', type: 'link', linkname: '../../etc/passwd' }], 'link-escape', 'h');
    await expectRejected([START, { name: 'h', type: 'link', linkname: 'later.txt' }, { name: 'later.txt' }], 'hardlink-target', 'h');
    await expectRejected([START, { name: 'd/', type: 'directory' }, { name: 'h', type: 'link', linkname: 'd' }], 'hardlink-target', 'h');
    await expectRejected([START, { name: 's', type: 'symlink', linkname: 'start.sh' }, { name: 'h', type: 'link', linkname: 's' }], 'hardlink-target', 'h');
    await expectRejected([START, { name: 'h', type: 'link', linkname: 'START.SH' }], 'hardlink-target', 'h');
  });

  it('refuses symlinks that climb out, loop, or are empty', async () => {
    await expectRejected([START, { name: 'l', type: 'symlink', linkname: '../x' }], 'link-escape', 'l');
    await expectRejected([START, { name: 'sub/l', type: 'symlink', linkname: '../../x' }], 'link-escape', 'sub/l');
    await expectRejected([START, { name: 'l', type: 'symlink', linkname: 'sub/../../x' }], 'link-escape', 'l');
    await expectRejected([START, { name: 'a', type: 'symlink', linkname: 'b' }, { name: 'b', type: 'symlink', linkname: 'a' }], 'link-loop', 'a');
    await expectRejected([START, { name: 'a', type: 'symlink', linkname: 'a/x' }], 'link-loop', 'a');
    await expectRejected([START, { name: 'l', type: 'symlink', linkname: 'x\\..\\..' }], 'backslash', 'l');
  });

  it('refuses a member under a file or a symlink, in either order', async () => {
    await expectRejected([START, { name: 'f' }, { name: 'f/x' }], 'through-link', 'f/x');
    await expectRejected([START, { name: 'f/x' }, { name: 'f' }], 'type-conflict', 'f');
    await expectRejected([START, { name: 'f/x' }, { name: 'f', type: 'symlink', linkname: 'start.sh' }], 'type-conflict', 'f');
  });
});

describe('names and types', () => {
  it('refuses ".." components wherever they are', async () => {
    await expectRejected([START, { name: '../x' }], 'dot-dot', '../x');
    await expectRejected([START, { name: 'a/../../x' }], 'dot-dot', 'a/../../x');
    await expectRejected([START, { name: 'a/b/..' }], 'dot-dot', 'a/b/..');
    await expectRejected([START, { name: '..', type: 'directory' }], 'dot-dot', '..');
  });

  it('refuses control characters, undecodable bytes and empty names', async () => {
    await expectRejected([START, { name: 'a\nb' }], 'control-character', 'a\nb');
    await expectRejected([START, { name: 'x', type: 'symlink', linkname: 'a\u001bb' }], 'control-character', 'x');
    // "bad" followed by two bytes that are not UTF-8.
    const h = rawHeader('badxx', '0');
    h[3] = 0xff;
    h[4] = 0xfe;
    fixChecksum(h);
    await expectRejected(rawTar([h]), 'encoding', 'bad\ufffd\ufffd');
    await expectRejected(rawTar([rawHeader('', '0')]), 'empty-name', '');
  });

  it('refuses devices, FIFOs and tar types it does not extract', async () => {
    await expectRejected([START, { name: 'null', type: 'character-device' }], 'special-file', 'null');
    await expectRejected([START, { name: 'sda', type: 'block-device' }], 'special-file', 'sda');
    await expectRejected([START, { name: 'pipe', type: 'fifo' }], 'special-file', 'pipe');
    await expectRejected(rawTar([rawHeader('sparse', 'S')]), 'unsupported-type', 'sparse');
    await expectRejected(rawTar([rawHeader('volume', 'V')]), 'unsupported-type', 'volume');
    await expectRejected([START, { name: 'GNUSparseFile.1/x', pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.name': 'x' } }], 'unsupported-type', 'GNUSparseFile.1/x');
  });

  it('refuses a member that appears twice, and data where tar allows none', async () => {
    await expectRejected([START, { name: 'x', data: 'one' }, { name: './x', data: 'two' }], 'duplicate', './x');
    await expectRejected([START, { name: 'd/', type: 'directory' }, { name: 'd', type: 'directory' }], 'duplicate', 'd');
    // A directory header claiming 512 bytes: tar-stream would read them as the next header, GNU
    // tar would skip them; neither reading is allowed to matter.
    const data = rawHeader('hidden', '0', 4);
    await expectRejected(rawTar([rawHeader('d/', '5', 512), data, Buffer.from('evil')]), 'corrupt', 'd/');
    await expectRejected([START, { name: '.', type: 'symlink', linkname: 'x' }], 'type-conflict', '.');
  });

  it('bounds nesting depth, name length and entry count', async () => {
    const deep = `${Array.from({ length: 65 }, (_, i) => `d${i}`).join('/')}/f`;
    await expectRejected([START, { name: deep }], 'too-deep', deep);
    const component = 'n'.repeat(256);
    await expectRejected([START, { name: `a/${component}` }], 'name-too-long', `a/${component}`);
    const longPath = Array.from({ length: 20 }, () => 'p'.repeat(250)).join('/');
    await expectRejected([START, { name: longPath }], 'name-too-long', longPath);
    const many: TestEntry[] = [START, ...Array.from({ length: 10 }, (_, i) => ({ name: `f${i}` }))];
    await expectRejected(many, 'too-many-entries', 'f9', { maxEntries: 10 });
  });
});

describe('the archive as a whole', () => {
  it('refuses a gzip bomb at the unpacked bound', async () => {
    const bomb = await tarOf([START, { name: 'zeros', data: Buffer.alloc(64 * 1024 * 1024) }]);
    const r = await expectRejected(bomb, 'unpacked-too-large', undefined, { maxUnpackedBytes: 8 * 1024 * 1024 });
    expect(r.message).toContain(String(8 * 1024 * 1024));
    expect(gzipSync(bomb).length).toBeLessThan(1024 * 1024);
  });

  it('bounds the archive file itself', async () => {
    await expectRejected([START, { name: 'big', data: Buffer.alloc(100_000, 7) }], 'archive-too-large', undefined, { maxArchiveBytes: 10_000 }, false);
  });

  it('tells a file that is not an archive from a damaged one', async () => {
    await expectRejected(Buffer.from('just some text, not a tar file\n'.repeat(40)), 'not-an-archive', undefined, {}, false);
    await expectRejected(Buffer.alloc(0), 'not-an-archive', undefined, {}, false);
    const good = await tarOf([START, { name: 'payload', data: Buffer.alloc(10_000, 1) }]);
    await expectRejected(good.subarray(0, 2048), 'corrupt', undefined, {}, false);
    const gz = gzipSync(good);
    const file = dir.path('truncated.tar.gz');
    await writeFile(file, gz.subarray(0, Math.floor(gz.length / 2)));
    await expect(checkArchive(file)).rejects.toMatchObject({ details: { rule: 'corrupt' } });
    // A damaged header after a good member: the checksum no longer matches.
    const bad = Buffer.from(good);
    bad[1024 + 10] ^= 0xff;
    await expectRejected(bad, 'corrupt', undefined, {}, false);
  });
});

describe('archives that are fine', () => {
  it('accepts files, directories, inside links and hardlinks, and reports them normalized', async () => {
    const file = await dir.write([
      { name: './', type: 'directory' },
      START,
      { name: './bin//tool', mode: 0o4755, data: 'tool' },
      { name: 'lib/', type: 'directory', mode: 0o700 },
      { name: 'lib/a.txt', mode: 0o400, data: 'a' },
      { name: 'lib/up', type: 'symlink', linkname: '../bin/tool' },
      { name: 'cur', type: 'symlink', linkname: 'lib/./up' },
      { name: 'copy', type: 'link', linkname: './lib/a.txt' },
      { name: 'copy2', type: 'link', linkname: 'copy' },
    ]);
    const c = await checkArchive(file);
    expect(c.members.map((m) => [m.path, m.type, m.mode.toString(8), m.size, m.target ?? null])).toEqual([
      ['start.sh', 'file', '755', 26, null],
      ['bin/tool', 'file', '755', 4, null],
      ['lib', 'directory', '755', 0, null],
      ['lib/a.txt', 'file', '600', 1, null],
      ['lib/up', 'symlink', '777', 0, '../bin/tool'],
      ['cur', 'symlink', '777', 0, 'lib/./up'],
      ['copy', 'hardlink', '600', 1, 'lib/a.txt'],
      ['copy2', 'hardlink', '600', 1, 'lib/a.txt'],
    ]);
    expect(c.notes).toEqual(['bin/tool: setuid, setgid and sticky bits dropped']);
    expect(c.fileBytes).toBe(26 + 4 + 1 + 1 + 1);
    expect(c.source.gzip).toBe(true);
    expect(c.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts a symlink to a missing file inside, and names that differ in more than case', async () => {
    const file = await dir.write([START, { name: 'run', type: 'symlink', linkname: 'var/run.pid' }, { name: 'Makefile' }, { name: 'makefile.am' }, { name: 'caf\u00e9' }, { name: 'cafe' }], { gzip: false });
    const c = await checkArchive(file);
    expect(c.members).toHaveLength(6);
    expect(c.source.gzip).toBe(false);
  });

  it('reads the manifest at the root', async () => {
    const file = await dir.write([START, { name: 'harness-package.json', data: '{"name":"api","version":"1.0.0"}' }]);
    expect((await checkArchive(file)).manifest).toBe('{"name":"api","version":"1.0.0"}');
  });
});

function fixChecksum(h: Buffer): void {
  h.write('        ', 148);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i];
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
}
