// The CLI catches the mistakes a Compose user makes on the way in: `-f` meaning follow in `logs`,
// a missing services.yaml, a service name that is not in the file; and `down` cleans up after a
// file that no longer validates.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeProject, runCli, survivors, type Project } from './test-support/cli-harness.js';

const STACK = `services:
  - name: worker
    target: { type: Process, binary: sleep, args: ["300"] }
  - name: redis
    target: { type: Process, binary: sleep, args: ["300"] }
`;

describe('CLI usage hints', () => {
  let project: Project;
  let empty: string;
  beforeAll(async () => {
    ensureBuilt();
    project = await makeProject(STACK);
    await writeFile(join(project.dir, 'stack.yaml'), STACK);
    empty = await mkdtemp(join(tmpdir(), 'harness-empty-'));
  }, 200_000);
  afterAll(async () => {
    await project?.cleanup();
    await rm(empty, { recursive: true, force: true });
  });

  it('logs: a positional that is a .yaml file is a usage error that says -f means follow there', async () => {
    const r = await project.run(['logs', '-f', 'worker', '-f', 'stack.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"stack.yaml" is a file, not a service: in "harness logs", -f means follow');
    expect(r.stderr).toContain('harness -f stack.yaml logs');
    expect(r.stderr).toContain('harness logs --file stack.yaml');
  });

  it('logs: an existing file given as a service (no .yaml ending) is caught too', async () => {
    await writeFile(join(project.dir, 'stackfile'), STACK);
    const r = await project.run(['logs', 'stackfile']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"stackfile" is a file, not a service');
  });

  it('logs: an unknown service exits 1 naming it, with did you mean', async () => {
    const r = await project.run(['logs', 'redsi']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown service "redsi" in services.yaml (did you mean "redis"?); the file defines: worker, redis');
  });

  for (const cmd of ['ps', 'logs', 'down']) {
    it(`${cmd} with no services.yaml exits 1 with "no services.yaml in DIR"`, async () => {
      const r = await runCli([cmd], { cwd: empty, env: project.env });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`no services\\.yaml in ${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(use `));
      expect(r.stderr).toContain(cmd === 'logs' ? '--file FILE' : '-f FILE');
    });
  }

  it('down on a file that no longer validates still stops what the stack left, and says so', async () => {
    const p = await makeProject(STACK);
    try {
      const up = await p.run(['up', '-d', '--timeout', '30s']);
      expect(up.code).toBe(0);
      const ps = await p.run(['ps', '--json']);
      const pids = (JSON.parse(ps.stdout).services as Array<{ pid?: number }>).map((s) => s.pid).filter((n): n is number => !!n);
      expect(pids).toHaveLength(2);
      // Kill the supervisor so `down` has to clean up from the state, then break the file.
      const info = JSON.parse(ps.stdout).supervisor as { pid: number };
      process.kill(info.pid, 'SIGKILL');
      await writeFile(p.file, 'services:\n  - name: worker\n    target: { type: Nope }\n');
      const down = await p.run(['down']);
      expect(down.code).toBe(0);
      expect(down.stdout).toMatch(/worker: stopped leftover process group/);
      expect(down.stdout).toMatch(/redis: stopped leftover process group/);
      expect(survivors(pids)).toEqual([]);
    } finally {
      await p.cleanup();
    }
  }, 120_000);
});

describe('down waits visibly', () => {
  it('says that it is waiting on a service that ignores its stop signal, and when it will kill it', async () => {
    const p = await makeProject(`services:
  - name: stubborn
    target: { type: Process, binary: node, args: ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"] }
    stop_grace_period: 3s
`);
    try {
      expect((await p.run(['up', '-d', '--timeout', '30s'])).code).toBe(0);
      const down = await p.run(['down']);
      expect(down.code).toBe(0);
      expect(down.stdout).toMatch(/==> stubborn: stopping: still running after SIGTERM; waiting up to [123] s more, then SIGKILL \(at \d\d:\d\d:\d\d\)/);
      expect(down.stdout).toMatch(/==> stubborn: stopped \(signal SIGKILL\)/);
    } finally {
      await p.cleanup();
    }
  }, 120_000);
});
