// shellQuote through real shells: 10,000 random hostile strings come back byte-identical from
// `sh -c` (dash) and `bash -c`, and nothing they contain ever runs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../shared/errors.js';
import { commandLine, quoteArg, shellQuote } from './shell-quote.js';

let dir = '';
let canary = '';

// Pieces a hostile value would use; the canary command only leaves a file behind if it runs.
const pieces = () => [
  "'", '"', '\\', '$', '`', ';', '&', '|', '\n', '\r', '\t', ' ', '(', ')', '{', '}', '<', '>', '*', '?', '[', ']', '~', '#', '!', '=', '%', '-', '--', '-e',
  `$(touch ${canary})`, `\`touch ${canary}\``, `; touch ${canary}`, `'; touch ${canary}; '`, `"; touch ${canary}; "`, `\n touch ${canary}`,
  `$((1+1))`, '${HOME}', '$HOME', '\\$HOME', 'é', '日本', '🦀', '\u200b', '\u00a0', 'if', 'then', 'done', 'A=b', '~root',
];

/** One shell round trip: each argument printed NUL-terminated, which no argument can contain. */
function roundTrip(shell: string, args: string[]): string[] {
  const out = execFileSync(shell, ['-c', shellQuote(['printf', '%s\\0', ...args])], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  const parts = out.toString('utf8').split('\0');
  parts.pop();
  return parts;
}

const hostile = () => fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...pieces()), { maxLength: 8 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
).map((s) => s.replace(/\0/g, ''));

describe('shellQuote', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hx-quote-'));
    canary = join(dir, 'ran');
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  for (const shell of ['sh', 'bash']) {
    const present = existsSync(`/bin/${shell}`) || existsSync(`/usr/bin/${shell}`);
    it.skipIf(!present)(`10,000 random hostile strings come back byte-identical through ${shell} -c and run nothing${present ? '' : ` (skipped: no ${shell})`}`, async () => {
      let total = 0;
      fc.assert(
        fc.property(fc.array(hostile(), { minLength: 40, maxLength: 40 }), (args) => {
          total += args.length;
          expect(roundTrip(shell, args)).toEqual(args);
        }),
        { numRuns: 250, seed: 0x5eed + shell.length },
      );
      expect(total).toBe(10_000);
      expect(existsSync(canary)).toBe(false);
      expect(await readdir(dir)).toEqual([]);
    }, 120_000);
  }

  it('round-trips every hand-picked hostile piece, alone and together', () => {
    const ps = pieces();
    expect(roundTrip('sh', ps)).toEqual(ps);
    expect(roundTrip('sh', [ps.join('')])).toEqual([ps.join('')]);
    expect(roundTrip('sh', ['', '', 'x'])).toEqual(['', '', 'x']);
    expect(existsSync(canary)).toBe(false);
  });

  it('leaves plain words bare and quotes words a shell could read as syntax', () => {
    expect(shellQuote(['/bin/ls', '-la', 'a.txt', '10'])).toBe("/bin/ls '-la' a.txt 10");
    expect(quoteArg('if')).toBe("'if'");
    expect(quoteArg('A=b')).toBe("'A=b'");
    expect(quoteArg("it's")).toBe("'it'\\''s'");
    expect(quoteArg('')).toBe("''");
  });

  it('refuses a NUL byte with an error naming the argument', () => {
    expect(() => shellQuote(['echo', 'a\0b'])).toThrow(HarnessError);
    expect(() => shellQuote(['echo', 'a\0b'])).toThrow(/argument 1 .*NUL byte/);
  });

  it('builds a command line that enters a hostile directory name and execs the program', () => {
    const weird = join(dir, `d'ir $(touch ${canary}) ;x`);
    execFileSync('mkdir', ['-p', '--', weird]);
    const line = commandLine(['sh', '-c', 'pwd; echo "$0"', "ar'g"], { cwd: weird, exec: true });
    const out = execFileSync('sh', ['-c', line]).toString();
    expect(out).toBe(`${weird}\nar'g\n`);
    expect(existsSync(canary)).toBe(false);
    expect(() => execFileSync('sh', ['-c', commandLine(['true'], { cwd: join(dir, 'missing') })], { stdio: 'ignore' })).toThrow();
    expect(() => commandLine([])).toThrow(HarnessError);
  });
});
