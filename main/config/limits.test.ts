// The inputs that made the loader take seconds to minutes (issue 8, item 3) now load within the
// budget (or, on a slow or busy machine, within PARSE_FACTOR times yaml's own parse of the same
// text: what a linear loader cannot beat), every problem located, at most LIMITS.maxProblems of them listed plus one located
// "… and N more" line. Each case would have caught its original blow-up: the old loader took
// 1.7-72 s on them (bench/loader-fuzz.mjs prints today's times next to yaml's own parse).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './fields.js';
import { parseProject } from './parse-project.js';
import * as cases from './test-support/loader-cases.js';
import { CASE_BUDGET_MS, overBudget, PARSE_FACTOR, resultViolations, timedWithin } from './test-support/loader-check.js';

const FILE = '/limits/services.yaml';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function load(text: string) {
  const t = timedWithin(() => parseProject(text, FILE, {}), text);
  const parse = t.parseCpuMs === undefined ? '' : `, yaml's parse ${t.parseCpuMs.toFixed(0)} ms CPU (x${PARSE_FACTOR} allowed)`;
  expect(overBudget(t), `took ${t.wallMs.toFixed(0)} ms (${t.cpuMs.toFixed(0)} ms CPU), budget ${CASE_BUDGET_MS} ms${parse}`).toBe(false);
  expect(resultViolations(text, FILE, t.value)).toEqual([]);
  return t.value;
}

const errors = (r: ReturnType<typeof load>) => r.problems.filter((p) => p.severity === 'error');
const lineOf = (text: string, needle: string, from = 0) => text.slice(0, text.indexOf(needle, from)).split('\n').length;

describe('pathological inputs load within the budget, every problem located', () => {
  // Warm the JIT on a realistic file first: the budget is about the loader, not the compiler.
  parseProject(readFileSync(path.join(ROOT, 'examples/demo/services.yaml'), 'utf8'), FILE, {});

  it.each(cases.pathologicalCases())('$name', { timeout: 60_000 }, ({ text }) => {
    const r = load(text);
    expect(r.problems.length).toBeLessThanOrEqual(LIMITS.maxProblems + 1);
  });

  it('nested anchors with an unresolved alias: that alias, once per place it is written, and no expansion', () => {
    const text = cases.unresolvedAliasBomb();
    const r = load(text);
    expect(r.config).toBeNull();
    expect(r.problems).toHaveLength(9);
    r.problems.forEach((p, i) => {
      expect(p).toMatchObject({ line: 2, path: `x-bomb.a[${i}]`, message: 'unknown alias *nope: no anchor &nope before it' });
      expect(text.split('\n')[1].slice(p.column - 1)).toMatch(/^\*nope/);
    });
  });

  it.each([
    ['60,000-key merged map', cases.wideMerge()],
    ['60,000-key env map', cases.wideEnv()],
    ['50,000 unknown fields', cases.unknownFields()],
    ['1,000 services x 100 unknown deps', cases.unknownDependencies()],
    ['a 600,000-item list', cases.hugeList()],
  ])('%s (the issue\'s size) is refused by the token budget, located where it ran out', (_name, text) => {
    const r = load(text);
    expect(r.config).toBeNull();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toContain(`more than ${LIMITS.maxYamlTokens} YAML tokens`);
    expect(r.problems[0].line).toBeGreaterThan(1);
  });

  it('a 15,000-key env map loads, every variable in it (duplicate keys checked in linear time)', () => {
    const r = load(cases.wideEnv(15_000));
    expect(r.problems).toEqual([]);
    const env = r.config!.services[0].target.env;
    expect(Object.keys(env)).toHaveLength(15_000);
    expect(env.VAR_14999).toBe('v14999');
  });

  it('duplicate keys of a wide map are each located at the repeat, naming the first', () => {
    const text = cases.duplicateKeys(15_000);
    const r = load(text);
    expect(r.problems[0]).toMatchObject({ line: 9, column: 9, message: 'YAML syntax error: Map keys must be unique: "K0" is repeated (first at line 7)' });
    expect(r.problems.at(-1)!.message).toMatch(/^… and 7,?399 more problems \(7,?399 errors\)/);
  });

  it('15,000 merged keys: the first 100 unknown fields in file order, then one line counting the rest', () => {
    const text = cases.wideMerge(15_000);
    const r = load(text);
    const listed = r.problems.slice(0, -1);
    expect(listed).toHaveLength(LIMITS.maxProblems);
    // Merged entries are reported under the service that uses them, at the line defining them.
    expect(listed[0]).toMatchObject({ line: 2, column: 3, path: 'services[0].k0', message: 'unknown field "k0"' });
    expect(listed.map((p) => p.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 2));
    expect(r.problems.at(-1)).toMatchObject({ line: 102, column: 3, severity: 'error', path: '' });
    expect(r.problems.at(-1)!.message).toMatch(/^… and 14,?900 more problems \(14,?900 errors\) not listed/);
    // Summaries count everything, listed or not.
    expect(r.counts).toEqual({ errors: 15_000, warnings: 0 });
  });

  it('unknown dependencies: suggestions for the listed ones only, the rest counted', () => {
    const r = load(cases.nearMissDependencies(1000, 20));
    expect(r.problems[0]).toMatchObject({ path: 'services[0].dependencies[0]', message: 'unknown dependency "servcie-1" (did you mean "service-1"?)' });
    expect(r.problems.at(-1)!.message).toMatch(/^… and 19,?900 more problems/);
  });

  it('a billion-laughs file stops at the expansion budget, located at the alias being expanded', () => {
    const text = cases.billionLaughs();
    const r = load(text);
    expect(errors(r)).toHaveLength(1);
    const p = r.problems[0];
    expect(p.message).toBe(`too many alias expansions (more than ${LIMITS.maxAliasExpansions}); is this a "billion laughs" file?`);
    expect(p.path).toMatch(/^x-bomb\.[b-j]\[\d\]$/);
    expect(text.split('\n')[p.line - 1].slice(p.column - 1)).toMatch(/^\*[a-i]/);
  });

  it('merge keys chained into a bomb stop at the same budget', () => {
    const r = load(cases.mergeBomb());
    expect(errors(r).map((p) => p.message)).toEqual([expect.stringContaining('too many alias expansions')]);
  });

  it('a big anchor used many times stops at the node budget, at the alias that crossed it', () => {
    const r = load(cases.aliasFanOut());
    expect(errors(r)).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ line: 2, path: expect.stringMatching(/^x-uses\[\d+\]$/), message: `the file expands to more than ${LIMITS.maxNodes} nodes (aliases and merge keys included)` });
  });

  it('an alias inside the node it names is refused at once, not expanded to the limits', () => {
    const text = 'x-loop: &loop\n  a: [1, *loop]\nservices: []\n';
    const r = load(text);
    expect(r.problems).toEqual([
      { file: FILE, line: 2, column: 10, path: 'x-loop.a[1]', severity: 'error', message: 'alias *loop is inside the node &loop it names, so it would expand forever' },
    ]);
  });

  it('a cycle through 1000 services is one problem; its text keeps both ends', () => {
    const r = load(cases.longCycle());
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toMatch(/^dependency cycle: s0 -> s1 -> s2 -> .*…\[\d+ characters\]….* -> s999 -> s0$/);
  });

  it('all-to-all dependencies: each cycle once, the first 100 listed', () => {
    const r = load(cases.denseCycles(150));
    const listed = r.problems.slice(0, -1);
    expect(listed.every((p) => /^dependency cycle: (s\d+)( -> s\d+)+ -> \1$/.test(p.message))).toBe(true);
    expect(new Set(listed.map((p) => p.message)).size).toBe(listed.length);
    expect(r.problems.at(-1)!.message).toMatch(/^… and \d[\d,]* more problems/);
  });

  it('a megabyte-long key is reported with its text clipped', () => {
    const r = load(cases.hugeKey());
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toMatch(/^unknown field "k{100,}…\[\d+ characters\]…k+"$/);
    expect(r.problems[0].path.length).toBeLessThan(600);
  });

  it('a variable unset in a huge string is reported once; an aliased huge string is interpolated once', () => {
    const r = load(cases.hugeString());
    expect(r.problems.map((p) => p.message)).toEqual(['variable X is not set; using an empty string']);
    const a = load(cases.aliasedHugeString());
    expect(a.problems).toEqual([]);
    const args = (a.config!.services[0].target as { args: string[] }).args;
    expect(args).toHaveLength(2000);
    expect(args[1999]).toBe('$'.repeat(250_000));
  });

  it('40,000 warnings: the config still loads; 100 listed and a warning counting the rest', () => {
    const r = load(cases.manyWarnings(40_000));
    expect(r.config).not.toBeNull();
    expect(r.problems.at(-1)).toMatchObject({ severity: 'warning', line: 3 });
    expect(r.problems.at(-1)!.message).toMatch(/^… and 39,?900 more problems \(39,?900 warnings\)/);
  });

  it('deep nesting is refused where it gets too deep', () => {
    const r = load(cases.deepBlockNesting());
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ message: `nesting deeper than ${LIMITS.maxDepth} levels`, line: LIMITS.maxDepth + 1 });
  });

  it('100,000 nested brackets are refused before parsing, at the bracket too deep', () => {
    const r = load(`services: ${'['.repeat(100_000)}`);
    expect(r.problems).toEqual([{ file: FILE, line: 1, column: 11 + LIMITS.maxDepth, path: '', severity: 'error', message: `nesting deeper than ${LIMITS.maxDepth} levels` }]);
  });

  it('a file over the size limit is one file-level problem (no line, by design)', () => {
    const r = load(`services: []\n#${'x'.repeat(3 * 1024 * 1024)}`);
    expect(r.problems).toEqual([{ file: FILE, line: 0, column: 0, path: '', severity: 'error', message: 'the file is larger than 2 MiB' }]);
  });

  it('too many services are refused before each is validated', () => {
    const r = load(cases.manyServices());
    expect(r.problems.map((p) => p.message)).toEqual([`more than ${LIMITS.maxServices} services (5000)`]);
  });
});

describe('problems stay located and bounded', () => {
  it('errors are kept before warnings when there are too many, and the count line says how many of each were left out', () => {
    const warnings = Array.from({ length: 150 }, () => '"${UNSET}"').join(', ');
    const bad = Array.from({ length: 120 }, (_, i) => `    bad_${i}: 1\n`).join('');
    const text = `services:\n  - name: a\n    target: {type: Process, binary: x, args: [${warnings}]}\n${bad}`;
    const r = load(text);
    const listed = r.problems.slice(0, -1);
    expect(listed).toHaveLength(LIMITS.maxProblems);
    expect(listed.every((p) => p.severity === 'error')).toBe(true);
    expect(listed[0]).toMatchObject({ line: 4, path: 'services[0].bad_0' });
    // The first problem left out is the first warning (line 3), before the omitted errors.
    expect(r.problems.at(-1)).toMatchObject({ line: 3, severity: 'error' });
    expect(r.problems.at(-1)!.message).toMatch(/^… and 170 more problems \(20 errors, 150 warnings\)/);
  });

  it('positions stay right after a line yaml\'s own LineCounter misses (found by the fuzz test)', () => {
    // yaml's LineCounter skips the line break after `""` followed by `"`; every later position
    // was one line early.
    const text =
      'name: demo\nx-defaults: &d\n  restart: {policy: on-failure, backoff: 100ms}\nservices:\n  - name: store\n    <<: *d\n    target: {type: Process, binary: n뺶de, args: \t\ufeff[store.js], ports: [7001], env: {A: "${A:-1}"}}\n    health_check: {type: tcp, interval: 50ms}\n  *a name: api\n    target:\n      type: Docker\n      &a image: "nginx:1"\n      ports: [""8080:*b", 9000]\n      volumes: [./d:/d]\n    dependencies: [store]\n    health_check: {type: http, path: /health,, &b retries: 2}\n';
    const r = load(text);
    const lines = text.split('\n');
    const tokenErrors = r.problems.filter((p) => /token in YAML stream: ".*"$/.test(p.message));
    expect(tokenErrors.length).toBeGreaterThan(10);
    for (const p of tokenErrors) {
      const token = JSON.parse(`"${/token in YAML stream: "(.*)"$/.exec(p.message)![1]}"`).split('\n')[0];
      expect(lines[p.line - 1].slice(p.column - 1, p.column - 1 + token.length), `${p.line}:${p.column} ${p.message}`).toBe(token);
    }
    expect(tokenErrors.find((p) => p.message.endsWith('"Docker"'))).toMatchObject({ line: lineOf(text, 'Docker') });
  });
});
