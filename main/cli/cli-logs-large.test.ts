// `harness logs` with histories larger than any one message may be: 1000 lines of 17 KB (17 MB,
// over the 16 MiB a socket client accepts in one reply) and a 50 MB line without newline (800
// pieces of 64 KiB). Both used to print nothing and blame the supervisor; now they print whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeProject, type Project } from './test-support/cli-harness.js';

const STACK = `
services:
  - name: wide
    target:
      type: Process
      binary: node
      args: ["-e", "for (let i = 0; i < 1000; i++) console.log(String(i).padStart(4, '0') + ' ' + 'w'.repeat(17000)); setInterval(() => {}, 1000)"]
  - name: long
    target:
      type: Process
      binary: node
      args: ["-e", "process.stdout.write('0123456789'.repeat(5000000), () => process.exit(0))"]
`;

let p: Project;

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('harness logs with a history larger than one message', () => {
  beforeAll(async () => {
    ensureBuilt();
    p = await makeProject(STACK);
    const up = await p.run(['up', '-d'], 90_000);
    expect(up.code, up.stdout + up.stderr).toBe(0);
  }, 200_000);
  afterAll(async () => {
    await p?.cleanup();
  }, 120_000);

  it('1000 lines of 17 KB (17 MB) print completely, exit 0', async () => {
    await until('the last wide line in the supervisor', async () => (await p.run(['logs', '--tail', '1', 'wide'])).stdout.startsWith('wide | 0999 '));
    const r = await p.run(['logs', '--tail', '1000', 'wide'], 120_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    lines.forEach((l, i) => expect(l === `wide | ${String(i).padStart(4, '0')} ${'w'.repeat(17000)}`, `line ${i}`).toBe(true));
  }, 180_000);

  it('a 50 MB line without newline prints completely (in 64 KiB pieces), exit 0', async () => {
    await until('long exited', async () => {
      const ps = JSON.parse((await p.run(['ps', '--json'])).stdout) as { services: Array<{ name: string; status: string }> };
      return ps.services.some((s) => s.name === 'long' && (s.status === 'exited' || s.status === 'stopped'));
    });
    const r = await p.run(['logs', '--tail', '100000', 'long'], 120_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pieces = r.stdout
      .trimEnd()
      .split('\n')
      .filter((l) => l.startsWith('long | '))
      .map((l) => l.slice('long | '.length));
    expect(pieces).toHaveLength(Math.ceil(50_000_000 / 65_536));
    expect(pieces.every((x) => x.length <= 65_536)).toBe(true);
    const text = pieces.join('');
    expect(text.length).toBe(50_000_000);
    expect(text === '0123456789'.repeat(5_000_000)).toBe(true);
  }, 180_000);
});
