// `harness rollback` through the built binary, without a host: its usage errors, and the refusals
// a user can cause (no such service, a target without releases), each naming what to fix. The
// rollback itself, over a real tunnel, is in main/executors/wireguard/.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './test-support/cli-harness.js';

let dir: string;
let env: NodeJS.ProcessEnv;

describe('harness rollback', () => {
  beforeAll(async () => {
    ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'harness-cli-rollback-'));
    env = { ...process.env, NO_COLOR: '1', HARNESS_STATE_DIR: join(dir, 'state') };
    await writeFile(join(dir, 'services.yaml'), 'name: rb\nservices:\n  - name: web\n    target: { type: Process, binary: node, args: [-e, "1"] }\n');
  }, 200_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('needs one service name (usage, exit 2)', async () => {
    const none = await runCli(['rollback'], { cwd: dir, env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('which service? `harness rollback SERVICE`');
    const two = await runCli(['rollback', 'web', 'more'], { cwd: dir, env });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('unexpected argument "more"');
  });

  it('refuses an unknown service and a target without releases (exit 1), naming them', async () => {
    const unknown = await runCli(['rollback', 'nope'], { cwd: dir, env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no service "nope" in .*services\.yaml \(services: web\)/);
    const proc = await runCli(['rollback', 'web'], { cwd: dir, env });
    expect(proc.code).toBe(1);
    expect(proc.stderr).toContain('web is a Process service: only Wireguard services have releases to roll back to');
  });
});
