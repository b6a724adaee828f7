// Atomic replacement keeps the file's identity: mode, owner and, for a symbolic link, the link
// itself, with the content written to the file the link points at.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harness-atomic-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces a plain file and keeps its mode', async () => {
    const file = path.join(dir, 'services.yaml');
    await fs.writeFile(file, 'old\n', { mode: 0o640 });
    await fs.chmod(file, 0o640);
    await writeFileAtomic(file, 'new\n');
    expect(await fs.readFile(file, 'utf8')).toBe('new\n');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o640);
    expect((await fs.readdir(dir)).sort()).toEqual(['services.yaml']);
  });

  it('writes through a symbolic link: the link stays, its target gets the content, in its own directory', async () => {
    const realDir = path.join(dir, 'real');
    await fs.mkdir(realDir);
    const real = path.join(realDir, 'stack.yaml');
    await fs.writeFile(real, 'old\n', { mode: 0o600 });
    await fs.chmod(real, 0o600);
    const link = path.join(dir, 'services.yaml');
    await fs.symlink(path.relative(dir, real), link);

    await writeFileAtomic(link, 'new\n');

    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    expect(await fs.readlink(link)).toBe(path.join('real', 'stack.yaml'));
    expect(await fs.readFile(real, 'utf8')).toBe('new\n');
    expect((await fs.stat(real)).mode & 0o777).toBe(0o600);
    // No temp file left beside the link or the target.
    expect(await fs.readdir(dir)).toEqual(expect.arrayContaining(['real', 'services.yaml']));
    expect(await fs.readdir(dir)).toHaveLength(2);
    expect(await fs.readdir(realDir)).toEqual(['stack.yaml']);
  });

  it('follows a chain of links to the final file', async () => {
    const real = path.join(dir, 'final.yaml');
    await fs.writeFile(real, 'old\n');
    await fs.symlink(real, path.join(dir, 'mid.yaml'));
    await fs.symlink(path.join(dir, 'mid.yaml'), path.join(dir, 'services.yaml'));
    await writeFileAtomic(path.join(dir, 'services.yaml'), 'new\n');
    expect(await fs.readFile(real, 'utf8')).toBe('new\n');
    expect((await fs.lstat(path.join(dir, 'mid.yaml'))).isSymbolicLink()).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('keeps the owner of the file it replaces (root can give files away)', async () => {
    const file = path.join(dir, 'owned.yaml');
    await fs.writeFile(file, 'old\n');
    await fs.chown(file, 65534, 65534);
    await writeFileAtomic(file, 'new\n');
    const st = await fs.stat(file);
    expect([st.uid, st.gid]).toEqual([65534, 65534]);
  });

  it('refuses a dangling link with a message naming the link and its target, and writes nothing', async () => {
    const link = path.join(dir, 'services.yaml');
    await fs.symlink(path.join(dir, 'missing', 'x.yaml'), link);
    await expect(writeFileAtomic(link, 'new\n')).rejects.toThrow(/services\.yaml is a symbolic link to .*missing\/x\.yaml/);
    expect(await fs.readdir(dir)).toEqual(['services.yaml']);
  });

  it('exclusive creation refuses an existing file and leaves it untouched', async () => {
    const file = path.join(dir, 'services.yaml');
    await fs.writeFile(file, 'keep\n');
    await expect(writeFileAtomic(file, 'new\n', { exclusive: true })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await fs.readFile(file, 'utf8')).toBe('keep\n');
    expect(await fs.readdir(dir)).toEqual(['services.yaml']);
  });
});
