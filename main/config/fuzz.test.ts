// The loader never throws and never hangs, whatever the input: mutated valid files, alias bombs,
// deep nesting, huge numbers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProject } from './parse-project.js';

const FILE = '/fuzz/services.yaml';

const SEEDS = [
  `name: demo
x-defaults: &d
  restart: {policy: on-failure, backoff: 100ms}
services:
  - name: store
    <<: *d
    target: {type: Process, binary: node, args: [store.js], ports: [7001], env: {A: "\${A:-1}"}}
    health_check: {type: tcp, interval: 50ms}
  - name: api
    target:
      type: Docker
      image: "nginx:1"
      ports: ["8080:80", 9000]
      volumes: [./d:/d]
    dependencies: [store]
    health_check: {type: http, path: /health, retries: 2}
`,
  `services:
  web:
    target: {type: Process, binary: ./web, working_dir: app}
    dependencies: [api]
    health_check:
      type: log
      pattern: "listening on (\\\\d+)"
    stop_signal: SIGINT
    stop_grace_period: 1m30s
    ui: {position: {x: 1, y: 2}}
  api:
    target: {type: RemoteLan, host: h, user: u, binary: /srv}
    health_check: {type: command, command: [true]}
  peer:
    target: {type: Wireguard, host: h, user: u, package: p.tgz}
`,
];

const INSERTS = ['&a ', '*a', '<<: *a', '<<: [*a, *a]', '- ', ': ', '{', '}', '[', ']', '"', "'", '${', '${X:?boom}', '$$',
  '\t', '\n', '#', '!!binary ', '!!set ', '? ', '|', '>-', '---', '...', '%YAML 1.1', '99999999999999999999999', '-1e309', '0x1F', '~'];

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'flip'; at: number; ch: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'nest'; at: number; depth: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), ch: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...INSERTS) }),
  fc.record({ kind: fc.constant('nest' as const), at: fc.nat(), depth: fc.integer({ min: 1, max: 300 }) }),
);

function mutate(text: string, muts: Mutation[]): string {
  let lines = text.split('\n');
  for (const m of muts) {
    const n = Math.max(lines.length, 1);
    switch (m.kind) {
      case 'delete':
        lines.splice(m.at % n, 1);
        break;
      case 'duplicate':
        lines.splice(m.at % n, 0, lines[m.at % n] ?? '');
        break;
      case 'swap': {
        const a = m.a % n;
        const b = m.b % n;
        [lines[a], lines[b]] = [lines[b], lines[a]];
        break;
      }
      case 'flip': {
        const t = lines.join('\n');
        const i = m.at % Math.max(t.length, 1);
        lines = (t.slice(0, i) + m.ch + t.slice(i + 1)).split('\n');
        break;
      }
      case 'insert': {
        const t = lines.join('\n');
        const i = m.at % Math.max(t.length, 1);
        lines = (t.slice(0, i) + m.text + t.slice(i)).split('\n');
        break;
      }
      case 'nest': {
        const t = lines.join('\n');
        const i = m.at % Math.max(t.length, 1);
        const open = m.at % 2 === 0 ? '['.repeat(m.depth) : '{a: '.repeat(m.depth);
        lines = (t.slice(0, i) + open + t.slice(i)).split('\n');
        break;
      }
    }
  }
  return lines.join('\n');
}

describe('loader fuzzing', () => {
  it('mutated files give a config or at least one problem, never a throw, each fast', () => {
    for (const seed of SEEDS) parseProject(seed, FILE, {}); // warm up the JIT before timing
    let slowest = 0;
    let configs = 0;
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, muts) => {
        const text = mutate(seed, muts);
        const t0 = performance.now();
        const r = parseProject(text, FILE, { A: '1' });
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        if (r.config) configs++;
        else expect(r.problems.some((p) => p.severity === 'error')).toBe(true);
        for (const p of r.problems) {
          expect(p.line).toBeGreaterThanOrEqual(0);
          expect(typeof p.message).toBe('string');
        }
        // Generous for a shared 2-core machine; a hang would be orders of magnitude above this.
        expect(ms).toBeLessThan(200);
      }),
      { numRuns: 2000 },
    );
    // Most mutations break something, but the mutator must not break every file.
    expect(configs).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(200);
  });

  it('a billion-laughs file is a problem, quickly', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const text = `x-bomb:\n${levels.map((l) => `  ${l}`).join('\n')}\nservices: []\n`;
    const t0 = performance.now();
    const r = parseProject(text, FILE, {});
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.config).toBeNull();
    expect(r.problems[0].message).toContain('too many alias expansions');
  });

  it('deep nesting and huge files are problems, not crashes', () => {
    const deep = `services: ${'['.repeat(100_000)}`;
    const r1 = parseProject(deep, FILE, {});
    expect(r1.config).toBeNull();
    expect(r1.problems.length).toBeGreaterThan(0);
    const deepMap = `services:\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(2 * i + 2)}k${i}:`).join('\n')} 1\n`;
    const r2 = parseProject(deepMap, FILE, {});
    expect(r2.config).toBeNull();
    const huge = parseProject(`services: []\n#${'x'.repeat(3 * 1024 * 1024)}`, FILE, {});
    expect(huge.problems[0].message).toContain('larger than 2 MiB');
  });
});
