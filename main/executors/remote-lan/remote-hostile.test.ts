// Hostile values in args, env and working_dir reach the remote program byte-identical and run
// nothing: quotes, $(), backticks, ;, newlines, a leading -, unicode, and 10,000 random strings,
// all through the real path (services.yaml, the loader, the env file over SFTP, the quoted launch
// line, the wrapper's exec). The program prints what it received NUL-separated, in base64.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHosts, testHostsSkipReason, type TestHost, type TestHostSet } from '../../test-support/test-hosts/test-hosts.js';
import { remoteStack, type RemoteStack } from './test-support/remote-stack.js';

const skip = await testHostsSkipReason();

const HOSTILE = [
  "it's", '"double"', '$(touch /tmp/hx-pwned-1)', '`touch /tmp/hx-pwned-2`', '; touch /tmp/hx-pwned-3', '&& touch /tmp/hx-pwned-4 &',
  'line one\nline two', '-rf', '--', '-', '', ' ', '\t', 'ünïcødé ✓ 日本語 🎉', '${HOME}', '$HOME', '*', '~', '#comment', '\\', "'; touch /tmp/hx-pwned-5; '",
  '|| touch /tmp/hx-pwned-6', '> /tmp/hx-pwned-7', 'a\rb', '!!', '%s%n', '{a,b}', 'x=y',
];

/** Everything as a YAML double-quoted scalar that the loader reads back as exactly `s`: JSON
 * escapes, `$` doubled (the loader's interpolation turns `$$` into `$`), and the characters YAML
 * does not allow raw escaped too. */
function yamlString(s: string): string {
  return JSON.stringify(s.replace(/\$/g, '$$$$')).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `sh -c` that prints its arguments, then the values of `vars`, then its directory: each list
 * NUL-terminated and base64-encoded on its own line, tagged A:, E:, D:. */
function dumper(vars: string[]): string {
  const values = vars.map((v) => `"$${v}"`).join(' ');
  return `printf A:; printf '%s\\0' "$@" | base64 -w0; echo; printf E:; { ${vars.length ? `printf '%s\\0' ${values};` : ':;'} } | base64 -w0; echo; printf D:; printf %s "$PWD" | base64 -w0; echo`;
}

interface Dumped { argv: string[]; env: string[]; cwd: string }

/** A line longer than the log store's partial-line limit arrives in pieces: joined again here. */
function decode(lines: string[]): Dumped {
  const tagged: Record<string, string> = {};
  let tag = '';
  for (const l of lines) {
    if (/^[AED]:/.test(l)) { tag = l[0]; tagged[tag] = l.slice(2); } else if (tag) tagged[tag] += l;
  }
  const list = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8').split('\0').slice(0, -1);
  return { argv: list(tagged.A), env: list(tagged.E), cwd: Buffer.from(tagged.D ?? '', 'base64').toString('utf8') };
}

const SERVICES = 20;
const PER_SERVICE = 500;
const ENV_PER_SERVICE = 50;

function randomStrings(n: number): string[] {
  // Any code point text (graphemes), raw ASCII with control characters, and shell syntax pieces;
  // never NUL (no argument can hold it) nor a lone surrogate (not text).
  const piece = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.string({ unit: 'binary-ascii', maxLength: 12 }),
    fc.constantFrom(...HOSTILE),
  );
  const arb = fc.array(piece, { maxLength: 3 }).map((xs) => xs.join('').replace(/\0/g, ''));
  return fc.sample(arb, { numRuns: n, seed: 424242 });
}

describe.skipIf(skip !== null)(`hostile values through the real path${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let set: TestHostSet;
  let h: TestHost;
  let stack: RemoteStack;
  const random = randomStrings(SERVICES * (PER_SERVICE + ENV_PER_SERVICE));
  const argsOf = (i: number) => random.slice(i * PER_SERVICE, (i + 1) * PER_SERVICE);
  const envOf = (i: number) => random.slice(SERVICES * PER_SERVICE + i * ENV_PER_SERVICE, SERVICES * PER_SERVICE + (i + 1) * ENV_PER_SERVICE);
  const dirs = ['/tmp/it\'s "quoted"', '/tmp/$(touch hx-pwned-8)', '/tmp/`touch hx-pwned-9`; x', '/tmp/new\nline', '/tmp/-leading', '/tmp/ünï ✓'];

  beforeAll(async () => {
    set = await createTestHosts({ hosts: 1 });
    h = set.hosts[0];
    for (const d of dirs) expect((await h.run(['mkdir', '-p', '--', d])).exitCode).toBe(0);
    const envNames = Array.from({ length: ENV_PER_SERVICE }, (_, k) => `HX_V${k}`);
    const services: string[] = [];
    services.push(`
  - name: fixed
    target:
      type: RemoteLan
      host: "\${HOST0}"
      user: root
      binary: sh
      args: [-c, ${yamlString(dumper(HOSTILE.map((_, k) => `HX_F${k}`)))}, sh, ${HOSTILE.map(yamlString).join(', ')}]
      env: { ${HOSTILE.map((v, k) => `HX_F${k}: ${yamlString(v)}`).join(', ')} }`);
    for (let i = 0; i < SERVICES; i++) {
      services.push(`
  - name: random-${i}
    target:
      type: RemoteLan
      host: "\${HOST0}"
      user: root
      binary: sh
      args: [-c, ${yamlString(dumper(envNames))}, sh, ${argsOf(i).map(yamlString).join(', ')}]
      env: { ${envOf(i).map((v, k) => `${envNames[k]}: ${yamlString(v)}`).join(', ')} }`);
    }
    dirs.forEach((d, i) => services.push(`
  - name: dir-${i}
    target: { type: RemoteLan, host: "\${HOST0}", user: root, binary: sh, args: [-c, ${yamlString(dumper([]))}], working_dir: ${yamlString(d)} }`));
    stack = await remoteStack(set, `services:${services.join('')}\n`);
  }, 120_000);

  afterAll(async () => {
    await stack?.dispose();
    await set?.destroy();
  }, 60_000);

  const dumped = (name: string): Dumped => decode(stack.lines(name, 'stdout'));

  it('starts every service; each prints what it received and exits', async () => {
    const report = await stack.runtime.manager.start();
    expect(report.failed).toEqual([]);
    for (const s of stack.config.services) await stack.waitStatus(s.name, 'exited', 60_000);
    for (const s of stack.config.services) expect(stack.state(s.name).exitCode, s.name).toBe(0);
  }, 180_000);

  it('hands the fixed hostile values over byte-identical, in args and env', () => {
    expect(dumped('fixed')).toEqual({ argv: HOSTILE, env: HOSTILE, cwd: '/root' });
  });

  it(`hands ${SERVICES * PER_SERVICE} random arguments and ${SERVICES * ENV_PER_SERVICE} random env values over byte-identical`, () => {
    expect(random.length).toBe(SERVICES * (PER_SERVICE + ENV_PER_SERVICE));
    for (let i = 0; i < SERVICES; i++) {
      const d = dumped(`random-${i}`);
      expect(d.argv, `random-${i} args`).toEqual(argsOf(i));
      expect(d.env, `random-${i} env`).toEqual(envOf(i));
    }
  });

  it('runs in hostile working directories as named', () => {
    dirs.forEach((d, i) => expect(dumped(`dir-${i}`).cwd).toBe(d));
  });

  it('ran nothing of what the values say', async () => {
    const places = ['/tmp', '/root', ...dirs];
    const files = places.flatMap((d) => Array.from({ length: 9 }, (_, k) => `${d}/hx-pwned-${k + 1}`));
    const found = await h.run(['sh', '-c', 'for f in "$@"; do [ -e "$f" ] && echo "$f"; done; true', 'sh', ...files]);
    expect(found.stdout).toBe('');
  });
});
