// `harness validate`, help and usage errors, through the built binary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeProject, runCli, ROOT, type Project } from './test-support/cli-harness.js';

const GOOD = `
services:
  - name: a
    target: { type: Process, binary: node, args: ["-e", "1"] }
  - name: b
    target: { type: Process, binary: node }
    dependencies: [a]
`;

// Line 6 misspells a field; line 9 names an unknown dependency.
const BAD = `services:
  - name: a
    target:
      type: Process
      binary: node
      argz: []
  - name: b
    target: { type: Process, binary: node }
    dependencies: [zz]
`;

describe('harness validate', () => {
  let good: Project;
  let bad: Project;
  beforeAll(async () => {
    ensureBuilt();
    good = await makeProject(GOOD);
    bad = await makeProject(BAD);
  }, 200_000);
  afterAll(async () => {
    await good?.cleanup();
    await bad?.cleanup();
  });

  it('says OK with the service count and exits 0 for a valid file', async () => {
    const r = await good.run(['validate']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('services.yaml: OK (2 services)');
  });

  it('prints every problem as file:line:col and exits 1', async () => {
    const r = await bad.run(['validate']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.some((l) => /^services\.yaml:6:7: error: .*argz.*did you mean "args"/.test(l))).toBe(true);
    expect(lines.some((l) => /^services\.yaml:9:20: error: .*unknown dependency "zz"/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/services\.yaml: \d+ error\(s\)/);
  });

  it('accepts -f before the command and after it', async () => {
    const before = await runCli(['-f', bad.file, 'validate'], { cwd: ROOT, env: bad.env });
    const after = await runCli(['validate', '-f', good.file], { cwd: ROOT, env: good.env });
    expect(before.code).toBe(1);
    expect(before.stdout).toContain(`${bad.file}:6:7:`);
    expect(after.code).toBe(0);
  });

  it('validates the demo stack', async () => {
    const r = await runCli(['validate', '-f', 'examples/demo/services.yaml'], { cwd: ROOT, env: good.env });
    expect(r.stdout.trim()).toBe('examples/demo/services.yaml: OK (4 services)');
    expect(r.code).toBe(0);
  });
});

describe('harness usage', () => {
  beforeAll(() => ensureBuilt(), 200_000);

  it('prints help per command and exits 0', async () => {
    const r = await runCli(['up', '--help'], { cwd: ROOT, env: process.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: harness up/);
    expect(r.stdout).toContain('--detach');
  });

  it('rejects an unknown option with exit 2 and a hint', async () => {
    const r = await runCli(['ps', '--jsn'], { cwd: ROOT, env: process.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --jsn for `harness ps` (did you mean --json?)');
  });

  it('rejects an unknown command with exit 2', async () => {
    const r = await runCli(['upp'], { cwd: ROOT, env: process.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "upp"/);
  });

  it('prints the version', async () => {
    const r = await runCli(['--version'], { cwd: ROOT, env: process.env });
    expect(r.stdout).toMatch(/^harness \d+\.\d+\.\d+/);
  });

  it('names a missing services.yaml in one line, without a stack trace', async () => {
    const r = await runCli(['up', '-f', '/nonexistent/services.yaml'], { cwd: ROOT, env: process.env });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('harness: /nonexistent/services.yaml not found');
  });

  it('lists the first 100 problems, then how many more, and counts them all in the summary', async () => {
    const fields = Array.from({ length: 150 }, (_, i) => `      bad${i}: 1`).join('\n');
    const many = await makeProject(`services:\n  - name: a\n    target:\n      type: Process\n      binary: node\n${fields}\n`);
    try {
      const r = await many.run(['validate']);
      expect(r.code).toBe(1);
      const lines = r.stdout.trim().split('\n');
      expect(lines.filter((l) => /: error: .*unknown field "bad\d+"/.test(l))).toHaveLength(100);
      expect(r.stdout).toMatch(/and 50 more problems/);
      expect(lines.at(-1)).toBe('services.yaml: 150 error(s)');
    } finally {
      await many.cleanup();
    }
  });
});
