// Every command through a pipe to a slow reader gives what it gives to a file: nothing printed is
// lost when the command ends (bin/harness.js used to call process.exit() with writes to a full
// pipe still queued: `harness logs --tail 5000 | wc -l` gave 1,829).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeProject, runPiped, runToFile, startPiped, waitUntil, type Project } from './test-support/cli-harness.js';

const SPAM = (lines: number, done: string): string => `
services:
  - name: spam
    target:
      type: Process
      binary: node
      args: ["-e", "for (let i = 0; i < ${lines}; i++) console.log('line ' + i + ' ' + 'x'.repeat(100)); require('fs').writeFileSync('${done}', ''); setInterval(() => {}, 1000)"]
`;

/** 900 services with one unknown field each: about 150 KB of problems, far more than a pipe holds. */
// At most 100 problems are listed: long field names make them more than a pipe buffer (64 KiB).
const MANY_PROBLEMS = `services:\n${Array.from({ length: 900 }, (_, i) => `  - name: s${i}\n    bogus_field_${i}_${'x'.repeat(400)}: 1\n    target: { type: Process, binary: node }\n`).join('')}`;
const MANY_SERVICES = `services:\n${Array.from({ length: 900 }, (_, i) => `  - name: service-number-${i}\n    target: { type: Process, binary: node, args: ["-e", "0"] }\n`).join('')}`;

const at = (p: Project) => ({ cwd: p.dir, env: p.env });

const projects: Project[] = [];
async function project(yaml: string): Promise<Project> {
  const p = await makeProject(yaml);
  projects.push(p);
  return p;
}

describe('harness output through a pipe to a slow reader', () => {
  beforeAll(() => ensureBuilt(), 200_000);
  afterAll(async () => {
    for (const p of projects.splice(0)) await p.cleanup();
  }, 120_000);

  it('help, per-command help and the version arrive whole', async () => {
    const p = await project('services: []\n');
    for (const args of [['help'], ['--version'], ...['validate', 'up', 'down', 'ps', 'logs', 'serve'].map((c) => [c, '--help'])]) {
      const [piped, file] = await Promise.all([runPiped(args, at(p)), runToFile(args, at(p))]);
      expect(piped.code, args.join(' ')).toBe(0);
      expect(piped.stdout, args.join(' ')).toBe(file.stdout);
      expect(piped.stdout.length).toBeGreaterThan(0);
    }
  }, 120_000);

  it('validate: every problem and the summary line arrive (exit 1), and OK for a valid file', async () => {
    const p = await project(MANY_PROBLEMS);
    const [piped, file] = await Promise.all([runPiped(['validate'], at(p)), runToFile(['validate'], at(p))]);
    expect(piped.code).toBe(1);
    expect(piped.stdout).toBe(file.stdout);
    expect(piped.stdout.trimEnd().split('\n').at(-1)).toMatch(/^services\.yaml: \d+ error\(s\)$/);
    expect(piped.stdout.length).toBeGreaterThan(64 * 1024);
    const ok = await project(MANY_SERVICES);
    const r = await runPiped(['validate'], at(ok));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('services.yaml: OK (900 services)\n');
  }, 120_000);

  it('ps and ps --json of 900 services (no supervisor): the table is whole, the JSON parses', async () => {
    const p = await project(MANY_SERVICES);
    const json = await runPiped(['ps', '--json'], at(p));
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout.length).toBeGreaterThan(64 * 1024);
    const report = JSON.parse(json.stdout) as { services: Array<{ name: string }> };
    expect(report.services.map((s) => s.name)).toEqual(Array.from({ length: 900 }, (_, i) => `service-number-${i}`));
    const table = await runPiped(['ps'], at(p));
    expect(table.code).toBe(0);
    const rows = table.stdout.split('\n').filter((l) => l.startsWith('service-number-'));
    expect(rows).toHaveLength(900);
    expect(table.stdout.trimEnd().split('\n').at(-1)).toMatch(/^no supervisor is running for services\.yaml$/);
  }, 120_000);

  it('up -d, logs --tail 5000 (5000 lines), logs of a named service, down, then the saved logs', async () => {
    const p = await project('');
    const done = join(p.dir, 'spam.done');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(p.file, SPAM(6000, done));
    const up = await runPiped(['up', '-d'], at(p));
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout.trimEnd().split('\n').at(-1)).toMatch(/`harness down` stops the stack$/);
    await waitUntil('the service printed everything', () => existsSync(done), 30_000);
    // The supervisor may still be reading the last lines from the pipe: ask until it has them.
    let logs = await runPiped(['logs', '--tail', '5000'], at(p));
    for (let i = 0; i < 50 && !logs.stdout.includes('line 5999 '); i++) logs = await runPiped(['logs', '--tail', '5000'], at(p));
    expect(logs.code, logs.stderr).toBe(0);
    const lines = logs.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5000);
    expect(lines[0]).toMatch(/^spam \| line 1000 x+$/);
    expect(lines.at(-1)).toMatch(/^spam \| line 5999 x+$/);
    const named = await runPiped(['logs', '--tail', '3000', 'spam'], at(p));
    expect(named.stdout.trimEnd().split('\n')).toEqual(lines.slice(2000));

    const down = await runPiped(['down'], at(p));
    expect(down.code, down.stdout + down.stderr).toBe(0);
    expect(down.stdout.trimEnd().split('\n').at(-1)).toBe('==> services.yaml: down');
    const saved = await runPiped(['logs', '--tail', '5000'], at(p));
    expect(saved.code).toBe(0);
    const savedLines = saved.stdout.trimEnd().split('\n').filter((l) => l.startsWith('spam | '));
    expect(savedLines.length).toBeGreaterThanOrEqual(4990);
    expect(saved.stdout).toContain('spam | line 5999 ');
  }, 180_000);

  it('foreground up: the whole log stream and the last "all services stopped" line arrive after SIGINT', async () => {
    const p = await project('');
    const done = join(p.dir, 'spam.done');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(p.file, SPAM(6000, done));
    const up = startPiped(['up'], { ...at(p), timeoutMs: 90_000 });
    await waitUntil('the service printed everything', () => existsSync(done), 30_000);
    // Give the supervisor the service's last lines (a `logs` call returns once it has them).
    for (let i = 0; i < 50; i++) {
      const logs = await runPiped(['logs', '--tail', '1'], at(p));
      if (logs.stdout.includes('line 5999 ')) break;
    }
    up.child.kill('SIGINT');
    const r = await up.result;
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out.at(-1)).toBe('==> all services stopped');
    const spam = out.filter((l) => l.startsWith('spam | line '));
    expect(spam).toHaveLength(6000);
    expect(spam.at(-1)).toMatch(/^spam \| line 5999 /);
  }, 120_000);

  it('serve --no-open: what it printed and its stop message arrive, exit 0 on SIGTERM', async () => {
    const p = await project('services: []\n');
    const serve = startPiped(['serve', '--no-open', '--port', '0'], { ...at(p), timeoutMs: 60_000 });
    await waitUntil('serve supervises the project', () => existsSync(join(p.env.HARNESS_STATE_DIR as string)), 30_000);
    for (let i = 0; i < 100; i++) {
      const ps = await runPiped(['ps', '--json'], at(p));
      if ((JSON.parse(ps.stdout) as { supervisor: unknown }).supervisor) break;
    }
    serve.child.kill('SIGTERM');
    const r = await serve.result;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Harness UI: http:\/\/127\.0\.0\.1:\d+\//m);
    expect(r.stdout).toContain('Supervising services.yaml. Press Ctrl-C to stop every service and quit.');
    expect(r.stderr).toContain('harness: stopping (SIGTERM)');
  }, 90_000);
});
