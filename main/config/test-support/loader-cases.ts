// Inputs that once made the loader take seconds to minutes (issue 8, item 3), plus their
// relatives. Shared by the loader tests and bench/loader-fuzz.mjs, so the benchmark times exactly
// what the tests check. Self-contained (no imports): the bench bundles this file on its own.

export interface LoaderCase {
  name: string;
  text: string;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const SERVICE = '    target: {type: Process, binary: node}\n';

/** Nested anchors, nine aliases per level; the first level aliases an anchor that does not
 * exist (one unresolved alias name, as in the issue's 805-byte file). */
export function unresolvedAliasBomb(levels = 10): string {
  const lines = ['x-bomb:', `  a: &a [${range(9).map(() => '*nope').join(', ')}]`];
  for (let i = 1; i < levels; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`  ${cur}: &${cur} [${range(9).map(() => `*${prev}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\nservices:\n  - name: a\n${SERVICE}    x-use: *${String.fromCharCode(96 + levels)}\n`;
}

/** The classic billion laughs: every alias resolves. */
export function billionLaughs(levels = 10): string {
  const lines = ['x-bomb:', '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`  ${cur}: &${cur} [${range(9).map(() => `*${prev}`).join(',')}]`);
  }
  return `${lines.join('\n')}\nservices: []\n`;
}

/** A wide map merged into a service with `<<`. */
export function wideMerge(keys = 60_000): string {
  const body = range(keys).map((i) => `  k${i}: ${i}`).join('\n');
  return `x-wide: &wide\n${body}\nservices:\n  - name: a\n    <<: *wide\n${SERVICE}`;
}

/** Merge keys chained through many levels, each merging the previous level several times. */
export function mergeBomb(levels = 12): string {
  const lines = ['x-m0: &m0 {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7}'];
  for (let i = 1; i < levels; i++) lines.push(`x-m${i}: &m${i} {<<: [${range(8).map(() => `*m${i - 1}`).join(', ')}], own${i}: ${i}}`);
  return `${lines.join('\n')}\nservices:\n${range(50).map((s) => `  - name: s${s}\n    <<: *m${levels - 1}\n${SERVICE}`).join('')}`;
}

/** One service with a wide `env` map. */
export function wideEnv(keys = 60_000): string {
  const body = range(keys).map((i) => `        VAR_${i}: v${i}`).join('\n');
  return `services:\n  - name: a\n    target:\n      type: Process\n      binary: node\n      env:\n${body}\n`;
}

/** The same key again and again in one map. */
export function duplicateKeys(keys = 60_000): string {
  const body = range(keys).map((i) => `        K${i % 2 === 0 ? 0 : i}: v`).join('\n');
  return `services:\n  - name: a\n    target:\n      type: Process\n      binary: node\n      env:\n${body}\n`;
}

/** A service with many fields the loader does not know. */
export function unknownFields(keys = 50_000): string {
  return `services:\n  - name: a\n${SERVICE}${range(keys).map((i) => `    unknown_field_${i}: 1\n`).join('')}`;
}

/** Many services, each depending on many services that do not exist. */
export function unknownDependencies(services = 1000, deps = 100): string {
  const out = ['services:'];
  for (let s = 0; s < services; s++) {
    out.push(`  - name: service-${s}`, SERVICE.trimEnd(), `    dependencies: [${range(deps).map((d) => `missing-${s}-${d}`).join(', ')}]`);
  }
  return `${out.join('\n')}\n`;
}

/** Every service depends on every other: a cycle through each pair. */
export function denseCycles(services = 200): string {
  const names = range(services).map((s) => `s${s}`);
  return `services:\n${names.map((n) => `  - name: ${n}\n${SERVICE}    dependencies: [${names.filter((x) => x !== n).join(', ')}]\n`).join('')}`;
}

/** One long dependency chain closed into a cycle. */
export function longCycle(services = 1000): string {
  return `services:\n${range(services).map((s) => `  - name: s${s}\n${SERVICE}    dependencies: [s${(s + 1) % services}]\n`).join('')}`;
}

/** Near misses of other services' names, so every suggestion search has work to do. */
export function nearMissDependencies(services = 1000, deps = 100): string {
  const out = ['services:'];
  for (let s = 0; s < services; s++) {
    const near = range(deps).map((d) => `servcie-${(s + d + 1) % services}`);
    out.push(`  - name: service-${s}`, SERVICE.trimEnd(), `    dependencies: [${near.join(', ')}]`);
  }
  return `${out.join('\n')}\n`;
}

/** A key of about a megabyte: every suggestion and message must stay cheap. */
export function hugeKey(bytes = 1_000_000): string {
  // An explicit key (`? …`): yaml refuses implicit keys longer than 1024 characters.
  return `services:\n  - name: a\n${SERVICE}    ? ${'k'.repeat(bytes)}\n    : 1\n`;
}

/** One string scalar of about 1.9 MB with interpolation in it. */
export function hugeString(bytes = 1_900_000): string {
  const chunk = 'abc ${X} def $$ ';
  return `services:\n  - name: a\n    target: {type: Process, binary: node, args: ["${chunk.repeat(Math.floor(bytes / chunk.length))}"]}\n`;
}

/** A huge string aliased many times: interpolation must not run once per use. */
export function aliasedHugeString(bytes = 500_000, uses = 2000): string {
  return `x-s: &s "${'$'.repeat(bytes)}"\nservices:\n  - name: a\n    target: {type: Process, binary: node, args: [${range(uses).map(() => '*s').join(', ')}]}\n`;
}

/** A long flat list (numbers are the smallest nodes per byte). */
export function hugeList(items = 600_000): string {
  return `services:\n  - name: a\n    target: {type: Process, binary: node, args: [${range(items).map((i) => i % 10).join(',')}]}\n`;
}

/** Many warnings: unset variables everywhere. */
export function manyWarnings(items = 100_000): string {
  return `services:\n  - name: a\n    target: {type: Process, binary: node, args: [${range(items).map(() => '"${U}"').join(',')}]}\n`;
}

/** Block nesting as deep as indentation allows in a small file. */
export function deepBlockNesting(depth = 1500): string {
  return `services:\n${range(depth).map((i) => `${' '.repeat(i + 2)}k${i}:`).join('\n')} 1\n`;
}

/** `- - - - …`: compact nested sequences, thousands of levels on one line. */
export function deepCompactSeq(depth = 100_000): string {
  return `services:\n  ${'- '.repeat(depth)}x\n`;
}

/** Thousands of services (above the limit), each small. */
export function manyServices(services = 5000): string {
  return `services:\n${range(services).map((s) => `  s${s}: {target: {type: Process, binary: node}}\n`).join('')}`;
}

/** Many uses of one big anchor: the expansion reaches the node limit with few aliases. */
export function aliasFanOut(items = 2000, uses = 120): string {
  return `x-l: &l [${range(items).map((i) => i % 10).join(',')}]\nx-uses: [${range(uses).map(() => '*l').join(', ')}]\nservices: []\n`;
}

/** The pathological inputs of issue 8 (item 3) at the sizes it reports, the same shapes at sizes
 * within LIMITS.maxYamlTokens (so the loader's own steps, not the token budget, are what is
 * measured), then their relatives. */
export function pathologicalCases(): LoaderCase[] {
  return [
    { name: 'issue: 805-byte nested anchors + unresolved alias', text: unresolvedAliasBomb() },
    { name: 'issue: 60,000-key map merged with <<', text: wideMerge() },
    { name: 'issue: 60,000-key env map', text: wideEnv() },
    { name: 'issue: 50,000 unknown fields', text: unknownFields() },
    { name: 'issue: 1,000 services x 100 unknown deps', text: unknownDependencies() },
    { name: '15,000-key map merged with <<', text: wideMerge(15_000) },
    { name: '15,000-key env map (valid)', text: wideEnv(15_000) },
    { name: '15,000 unknown fields', text: unknownFields(15_000) },
    { name: '1,000 services x 20 unknown deps', text: unknownDependencies(1000, 20) },
    { name: '1,000 services x 20 near-miss deps', text: nearMissDependencies(1000, 20) },
    { name: '15,000 keys, half duplicates', text: duplicateKeys(15_000) },
    { name: 'billion laughs (10 levels)', text: billionLaughs() },
    { name: 'merge-key bomb (12 levels x 8)', text: mergeBomb() },
    { name: '2,000-item anchor used 120x', text: aliasFanOut() },
    { name: '150 services, all-to-all deps', text: denseCycles(150) },
    { name: '1,000-service cycle', text: longCycle() },
    { name: '1 MB unknown key', text: hugeKey() },
    { name: '1.9 MB string with ${X}', text: hugeString() },
    { name: '500 KB string aliased 2,000x', text: aliasedHugeString() },
    { name: '600,000-item list', text: hugeList() },
    { name: '40,000 unset-variable warnings', text: manyWarnings(40_000) },
    { name: '1,500-deep block nesting', text: deepBlockNesting() },
    { name: '100,000-deep "- - -" nesting', text: deepCompactSeq() },
    { name: '5,000 services', text: manyServices() },
  ];
}
