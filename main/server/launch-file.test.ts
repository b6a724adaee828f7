// The owner-only page that `harness serve --open` opens: where it goes, who can read it, what
// it refuses, and that it is gone afterwards.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launchPage, writeLaunchFile } from './launch-file.js';

const TARGET = 'http://127.0.0.1:4242/?token=abc&x="<y>"';
const isRoot = process.getuid?.() === 0;

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-launch-'));
  env = { HARNESS_STATE_DIR: join(dir, 'state'), XDG_RUNTIME_DIR: join(dir, 'runtime') };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('launch file', () => {
  it('is written 0600 in $XDG_RUNTIME_DIR/harness (0700), redirects to the target, and is removed', async () => {
    const f = await writeLaunchFile(TARGET, env);
    expect(f.path).toBe(join(dir, 'runtime', 'harness', `serve-${process.pid}.html`));
    expect(f.url).toBe(pathToFileURL(f.path).href);
    expect(statSync(f.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'runtime', 'harness')).mode & 0o777).toBe(0o700);
    const html = readFileSync(f.path, 'utf8');
    expect(html).toBe(launchPage(TARGET));
    expect(html).toContain('content="0;url=http://127.0.0.1:4242/?token=abc&amp;x=&quot;&lt;y&gt;&quot;"');
    await f.remove();
    expect(existsSync(f.path)).toBe(false);
    await f.remove();
  });

  it('goes to <state root>/run without XDG_RUNTIME_DIR', async () => {
    const f = await writeLaunchFile(TARGET, { HARNESS_STATE_DIR: env.HARNESS_STATE_DIR });
    expect(f.path).toBe(join(dir, 'state', 'run', `serve-${process.pid}.html`));
    await f.remove();
  });

  it('tightens a directory others could read, and never writes through a link planted at its path', async () => {
    const d = join(dir, 'runtime', 'harness');
    mkdirSync(d, { recursive: true, mode: 0o755 });
    chmodSync(d, 0o755);
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(d, `serve-${process.pid}.html`));
    const f = await writeLaunchFile(TARGET, env);
    expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(readFileSync(f.path, 'utf8')).toContain('token=abc');
    await f.remove();
  });

  it('refuses a directory that is a symlink, using the next place instead', async () => {
    mkdirSync(join(dir, 'runtime'));
    mkdirSync(join(dir, 'elsewhere'));
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'runtime', 'harness'));
    const f = await writeLaunchFile(TARGET, env);
    expect(f.path).toBe(join(dir, 'state', 'run', `serve-${process.pid}.html`));
    await f.remove();
  });

  it.skipIf(!isRoot)(`refuses a directory owned by another user, and says which when no place is left${isRoot ? '' : ' (skipped: needs root to chown)'}`, async () => {
    for (const d of [join(dir, 'runtime', 'harness'), join(dir, 'state', 'run')]) {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      chownSync(d, 65534, 65534);
    }
    await expect(writeLaunchFile(TARGET, env)).rejects.toThrow(/runtime\/harness belongs to uid 65534, not to you \(uid 0\).*state\/run belongs to uid 65534/);
  });

  it('clears the pages of serve processes that are gone, not of live ones', async () => {
    const d = join(dir, 'runtime', 'harness');
    mkdirSync(d, { recursive: true, mode: 0o700 });
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.once('exit', r));
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      writeFileSync(join(d, `serve-${dead.pid}.html`), 'old token');
      writeFileSync(join(d, `serve-${live.pid}.html`), 'live token');
      const f = await writeLaunchFile(TARGET, env);
      expect(existsSync(join(d, `serve-${dead.pid}.html`))).toBe(false);
      expect(existsSync(join(d, `serve-${live.pid}.html`))).toBe(true);
      await f.remove();
    } finally {
      live.kill('SIGKILL');
    }
  });
});
