// `harness pack` through the built binary: the archive it writes, what it prints, and the packages
// it refuses (with nothing left behind).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './test-support/cli-harness.js';

let root: string;
const env = { ...process.env, NO_COLOR: '1' };

async function app(name: string, files: Record<string, string>, opts: { exec?: boolean } = {}): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [rel, data] of Object.entries(files)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), data);
  }
  if (files['start.sh'] !== undefined && opts.exec !== false) await chmod(join(dir, 'start.sh'), 0o755);
  return dir;
}

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

describe('harness pack', () => {
  beforeAll(async () => {
    ensureBuilt();
    root = await mkdtemp(join(tmpdir(), 'harness-cli-pack-'));
  }, 200_000);
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('packs a folder into NAME-VERSION.tar.gz and prints its entries, size and sha256', async () => {
    await app('api', { 'start.sh': '#!/bin/sh\nexec node server.js\n', 'server.js': 'console.log(1)\n', 'lib/util.js': '', 'harness-package.json': '{"name":"api","version":"1.4.2"}' });
    const r = await runCli(['pack', 'api'], { cwd: root, env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const file = join(root, 'api-1.4.2.tar.gz');
    const [first, second] = r.stdout.trim().split('\n');
    expect(first).toMatch(/^packed api 1\.4\.2: api-1\.4\.2\.tar\.gz, 5 entries, \d+ B \(\d+ B unpacked\)$/);
    expect(second).toBe(`${await sha256(file)}  api-1.4.2.tar.gz`);
    const listed = (await execa('tar', ['-tzf', file])).stdout.split('\n');
    expect(listed).toEqual(['harness-package.json', 'lib/', 'lib/util.js', 'server.js', 'start.sh']);
  });

  it('writes the same bytes every time, to -o FILE, and --json says what it wrote', async () => {
    const dir = await app('same', { 'start.sh': '#!/bin/sh\n', 'data.txt': 'x'.repeat(5000) });
    const a = await runCli(['pack', dir, '-o', join(root, 'a.tar.gz'), '--json'], { cwd: root, env });
    const b = await runCli(['pack', dir, '-o', join(root, 'b.tar.gz'), '--json'], { cwd: root, env });
    expect([a.code, b.code]).toEqual([0, 0]);
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    expect(ja.sha256).toBe(jb.sha256);
    expect(ja).toMatchObject({ file: join(root, 'a.tar.gz'), entries: 2, unpackedBytes: 5000 + 10, manifest: null, warnings: [] });
    expect(ja.sha256).toBe(await sha256(join(root, 'a.tar.gz')));
    expect(ja.contentSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the folder when there is no manifest', async () => {
    await app('plain', { 'start.sh': '#!/bin/sh\n' });
    const r = await runCli(['pack', 'plain'], { cwd: root, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^packed plain: plain\.tar\.gz, 1 entry, /);
    expect(existsSync(join(root, 'plain.tar.gz'))).toBe(true);
  });

  it('refuses a folder without an executable start.sh, naming the file and the fix', async () => {
    const none = await app('none', { 'README': 'x' });
    const r1 = await runCli(['pack', none, '-o', join(root, 'none.tar.gz')], { cwd: root, env });
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(`harness: ${join(none, 'start.sh')}: missing: a package needs an executable start.sh at its root`);
    const noexec = await app('noexec', { 'start.sh': '#!/bin/sh\n' }, { exec: false });
    const r2 = await runCli(['pack', noexec, '-o', join(root, 'noexec.tar.gz')], { cwd: root, env });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('not executable; run `chmod +x');
    expect(existsSync(join(root, 'none.tar.gz')) || existsSync(join(root, 'noexec.tar.gz'))).toBe(false);
  });

  it('refuses what the deployer would refuse, with the member and the rule, and writes no archive', async () => {
    const esc = await app('esc', { 'start.sh': '#!/bin/sh\n' });
    await mkdir(join(esc, 'sub'));
    await symlink('../../outside', join(esc, 'sub', 'up'));
    const r = await runCli(['pack', esc, '-o', join(root, 'esc.tar.gz')], { cwd: root, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^harness: esc\.tar\.gz: member "sub\/up" is a link whose target resolves outside the release directory .*\[rule link-escape\]/);
    expect(existsSync(join(root, 'esc.tar.gz'))).toBe(false);

    await app('cases', { 'start.sh': '#!/bin/sh\n', 'Config.json': '{}', 'config.json': '{}' });
    const c = await runCli(['pack', 'cases'], { cwd: root, env });
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('[rule case-collision]');

    // An earlier archive at FILE survives a pack that fails.
    const keep = join(root, 'keep.tar.gz');
    expect((await runCli(['pack', 'plain', '-o', keep], { cwd: root, env })).code).toBe(0);
    const before = await sha256(keep);
    expect((await runCli(['pack', esc, '-o', keep], { cwd: root, env })).code).toBe(1);
    expect(await sha256(keep)).toBe(before);
    expect((await readdir(root)).filter((n) => n.includes('.tmp-'))).toEqual([]);

    await app('badmanifest', { 'start.sh': '#!/bin/sh\n', 'harness-package.json': '{"name":"x"}' });
    const m = await runCli(['pack', 'badmanifest'], { cwd: root, env });
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('harness-package.json field "version" must be a string');
  });

  it('is a usage error without exactly one folder, and is listed in help', async () => {
    const r = await runCli(['pack'], { cwd: root, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('name the folder to pack');
    const h = await runCli(['help'], { cwd: root, env });
    expect(h.stdout).toMatch(/\n {2}pack +Build a Wireguard package from a folder/);
    const ph = await runCli(['pack', '--help'], { cwd: root, env });
    expect(ph.stdout).toMatch(/^Usage: harness pack DIR \[-o FILE\] \[--json\]/);
  });
});
