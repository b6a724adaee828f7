// The loader never throws, never hangs and never reports a problem without a location, whatever
// the input: 20,000 seeded mutations of the example files and test fixtures per run (issue 8).
// The seed is printed; replay a run with HARNESS_FUZZ_SEED=<seed>, one case of it with
// HARNESS_FUZZ_CASE=<index> as well (the failing text is also written to a file named in the
// failure). HARNESS_FUZZ_CASES changes the number of cases.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseProject } from './parse-project.js';
import { CASE_BUDGET_MS, overBudget, resultViolations, timedWithin } from './test-support/loader-check.js';
import { fuzzCase, fuzzSeedFromEnv, fuzzSeeds, type FuzzCase } from './test-support/loader-fuzz.js';

const FILE = '/fuzz/services.yaml';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SEED = fuzzSeedFromEnv();
const CASES = Number(process.env.HARNESS_FUZZ_CASES ?? 20_000);
const ONLY = process.env.HARNESS_FUZZ_CASE === undefined || process.env.HARNESS_FUZZ_CASE === '' ? undefined : Number(process.env.HARNESS_FUZZ_CASE);
// The remote example takes its hosts from the environment (its test-hosts.sh writes them to .env).
const ENV = { A: '1', PORT: '7001', REMOTE_HOST_A: '10.213.0.11', REMOTE_HOST_B: '10.213.0.12', WG_PEER: '10.214.0.10' };

function fail(c: FuzzCase, why: string): never {
  const file = path.join(os.tmpdir(), `harness-fuzz-${SEED}-${c.index}.yaml`);
  writeFileSync(file, c.text);
  throw new Error(
    `fuzz case ${c.index} of seed ${SEED} (${c.seedName}; ${c.mutations.join(' | ')}): ${why}\n` +
      `  input (${c.text.length} characters) written to ${file}\n` +
      `  replay: HARNESS_FUZZ_SEED=${SEED} HARNESS_FUZZ_CASE=${c.index} npx vitest run main/config/fuzz.test.ts`,
  );
}

describe('loader fuzzing', () => {
  it(`${CASES} mutated files each give a config or located problems, never a throw, each within ${CASE_BUDGET_MS} ms`, { timeout: 300_000 }, () => {
    const seeds = fuzzSeeds(ROOT);
    expect(seeds.length).toBeGreaterThanOrEqual(4);
    // The unmutated seeds are valid: the mutations start from real files.
    for (const s of seeds) expect(parseProject(s.text, FILE, ENV).problems.filter((p) => p.severity === 'error'), s.name).toEqual([]);
    console.log(`loader fuzz: seed ${SEED} (replay with HARNESS_FUZZ_SEED=${SEED}), ${ONLY === undefined ? `${CASES} cases` : `case ${ONLY}`}, ${seeds.length} seed files`);

    const indices = ONLY === undefined ? Array.from({ length: CASES }, (_, i) => i) : [ONLY];
    const slowest: Array<{ c: FuzzCase; ms: number }> = [];
    let configs = 0;
    let maxProblems = 0;
    const started = performance.now();
    for (const i of indices) {
      const c = fuzzCase(seeds, SEED, i);
      let t: ReturnType<typeof timedWithin<ReturnType<typeof parseProject>>>;
      try {
        t = timedWithin(() => parseProject(c.text, FILE, ENV), c.text);
      } catch (err) {
        fail(c, `the loader threw: ${(err as Error).stack ?? String(err)}`);
      }
      if (overBudget(t)) fail(c, `took ${t.wallMs.toFixed(0)} ms (${t.cpuMs.toFixed(0)} ms CPU), over the ${CASE_BUDGET_MS} ms budget`);
      const violations = resultViolations(c.text, FILE, t.value);
      if (violations.length > 0) fail(c, violations.join('; '));
      if (t.value.config) configs++;
      maxProblems = Math.max(maxProblems, t.value.problems.length);
      slowest.push({ c, ms: t.wallMs });
      if (slowest.length > 20) slowest.sort((a, b) => b.ms - a.ms).splice(5);
    }
    slowest.sort((a, b) => b.ms - a.ms);
    console.log(
      `loader fuzz: ${indices.length} cases in ${((performance.now() - started) / 1000).toFixed(1)} s, ${configs} loaded without errors, at most ${maxProblems} problems listed; slowest:\n` +
        slowest
          .slice(0, 5)
          .map((s) => `  case ${s.c.index}: ${s.ms.toFixed(1)} ms, ${s.c.text.length} characters (${s.c.mutations.join(' | ').slice(0, 120)})`)
          .join('\n'),
    );
    if (ONLY === undefined) {
      // Most mutations break something, but the mutator must not break every file.
      expect(configs).toBeGreaterThan(CASES / 50);
      expect(configs).toBeLessThan(CASES);
    }
  });

  it('the same seed gives the same cases, another seed other cases', () => {
    const seeds = fuzzSeeds(ROOT);
    const a = Array.from({ length: 50 }, (_, i) => fuzzCase(seeds, 7, i).text);
    expect(Array.from({ length: 50 }, (_, i) => fuzzCase(seeds, 7, i).text)).toEqual(a);
    const b = Array.from({ length: 50 }, (_, i) => fuzzCase(seeds, 8, i).text);
    expect(b.filter((t, i) => t !== a[i]).length).toBeGreaterThan(40);
  });
});
