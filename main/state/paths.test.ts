import { mkdtemp, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureProjectStateDir, projectStateDir, stateRoot } from './paths.js';

describe('state paths', () => {
  it('picks HARNESS_STATE_DIR, then XDG_STATE_HOME/harness, then ~/.local/state/harness', () => {
    expect(stateRoot({ HARNESS_STATE_DIR: '/tmp/a', XDG_STATE_HOME: '/tmp/x' })).toBe('/tmp/a');
    expect(stateRoot({ XDG_STATE_HOME: '/tmp/x' })).toBe('/tmp/x/harness');
    expect(stateRoot({})).toBe(join(homedir(), '.local', 'state', 'harness'));
  });

  it('names the project dir after its folder (sanitised, ≤24 chars) plus a hash of the file path', () => {
    const env = { HARNESS_STATE_DIR: '/s' };
    const a = projectStateDir('/home/u/My Project: (demo) with a very long name/services.yaml', env);
    expect(a).toMatch(/^\/s\/My-Project-demo-with-a-v-[0-9a-f]{12}$/);
    expect(a.split('/').pop()!.length).toBeLessThanOrEqual(24 + 1 + 12);
    // Same folder name elsewhere, or another file in the same folder → another dir.
    expect(projectStateDir('/other/My Project: (demo) with a very long name/services.yaml', env)).not.toBe(a);
    expect(projectStateDir('/home/u/My Project: (demo) with a very long name/other.yaml', env)).not.toBe(a);
    expect(projectStateDir('/home/u/My Project: (demo) with a very long name/services.yaml', env)).toBe(a);
  });

  it('creates the dir owner-only and leaves room for a socket path under 108 bytes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'harness-paths-'));
    try {
      const dir = await ensureProjectStateDir('/x/y/services.yaml', { HARNESS_STATE_DIR: root });
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect(Buffer.byteLength(join(dir, 'supervisor.sock'))).toBeLessThan(108);
      expect(Buffer.byteLength(join(stateRoot({}), 'a'.repeat(24) + '-0123456789ab', 'supervisor.sock'))).toBeLessThan(108);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
