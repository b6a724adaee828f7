#!/usr/bin/env node
// Loader under hostile input (issue 8, item 3): the pathological files (at the sizes and
// within the token budget) and the slowest of the CI fuzz run's cases, each timed against the
// built loader (dist/) next to a peer measured in the same run: yaml's own parseDocument of the
// same text, the floor any loader built on yaml pays. Target: every load well under a second.
// `npm run bench -- loader`; HARNESS_FUZZ_CASES / HARNESS_FUZZ_SEED as for the fuzz test.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, percentile } from './bench-support.mjs';

/** The case generators are test support (not in dist/): bundled here on their own. */
async function loadGenerators() {
  const { build } = await import('esbuild');
  const out = await build({
    stdin: {
      contents: "export * from './main/config/test-support/loader-cases.ts';\nexport * from './main/config/test-support/loader-fuzz.ts';\n",
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  const dir = await mkdtemp(join(tmpdir(), 'harness-bench-loader-'));
  const file = join(dir, 'generators.mjs');
  await writeFile(file, out.outputFiles[0].text);
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function time(f) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, ms, cpuMs: (c.user + c.system) / 1000 };
}

const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

export async function run({ cases = Number(process.env.HARNESS_FUZZ_CASES ?? 20_000), print = true } = {}) {
  const { parseProject } = await import(join(ROOT, 'dist/main/config/parse-project.js'));
  const { LIMITS } = await import(join(ROOT, 'dist/main/config/fields.js'));
  const { parseDocument } = await import('yaml');
  const gen = await loadGenerators();
  const seed = gen.fuzzSeedFromEnv();
  const FILE = '/bench/services.yaml';
  const out = { cases: [], fuzz: [] };
  if (print) console.log(`load average at start: ${load()} (2 cores; wall times grow with it, CPU times much less)`);
  // Warm the JIT on a realistic file, as a running app has.
  const seeds = gen.fuzzSeeds(ROOT);
  for (let i = 0; i < 20; i++) for (const s of seeds) parseProject(s.text, FILE, {});

  const rows = [];
  for (const c of gen.pathologicalCases()) {
    const runs = [0, 1, 2].map(() => time(() => parseProject(c.text, FILE, {})));
    const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const peer = time(() => parseDocument(c.text, { uniqueKeys: false, prettyErrors: false }));
    const r = best.value;
    const row = { name: c.name, bytes: Buffer.byteLength(c.text), ms: best.ms, cpuMs: best.cpuMs, yamlMs: peer.ms, problems: r.problems.length, first: r.problems[0]?.message ?? (r.config ? 'valid' : '') };
    out.cases.push(row);
    rows.push(row);
  }
  if (print) {
    console.log(`\nPathological files: loader (best of 3) vs yaml.parseDocument alone (the peer; no bounds, no checks). Budgets: ${LIMITS.maxYamlTokens} YAML tokens, ${LIMITS.maxAliasExpansions} alias expansions, ${LIMITS.maxNodes} nodes, ${LIMITS.maxProblems} problems listed.`);
    const w = Math.max(...rows.map((r) => r.name.length));
    console.log(`  ${'case'.padEnd(w)}  ${'bytes'.padStart(9)}  ${'loader ms'.padStart(9)}  ${'cpu ms'.padStart(7)}  ${'yaml ms'.padStart(8)}  ${'problems'.padStart(8)}  first problem`);
    for (const r of rows) {
      console.log(`  ${r.name.padEnd(w)}  ${String(r.bytes).padStart(9)}  ${fmt(r.ms).padStart(9)}  ${fmt(r.cpuMs).padStart(7)}  ${fmt(r.yamlMs).padStart(8)}  ${String(r.problems).padStart(8)}  ${r.first.slice(0, 70)}`);
    }
  }

  const times = [];
  const started = performance.now();
  for (let i = 0; i < cases; i++) {
    const c = gen.fuzzCase(seeds, seed, i);
    const t = time(() => parseProject(c.text, FILE, { A: '1', PORT: '7001' }));
    times.push(t.ms);
    out.fuzz.push({ index: i, bytes: c.text.length, ms: t.ms, cpuMs: t.cpuMs, problems: t.value.problems.length, mutations: c.mutations });
  }
  const total = (performance.now() - started) / 1000;
  out.fuzz.sort((a, b) => b.ms - a.ms);
  out.fuzz.splice(10);
  if (print) {
    console.log(`\nFuzz: ${cases} cases of seed ${seed} in ${total.toFixed(1)} s; per case p50 ${fmt(percentile(times, 50))} ms, p99 ${fmt(percentile(times, 99))} ms, max ${fmt(Math.max(...times))} ms. Slowest (each re-timed alone, best of 3, with yaml.parseDocument as the peer):`);
    for (const f of out.fuzz) {
      const c = gen.fuzzCase(seeds, seed, f.index);
      const again = [0, 1, 2].map(() => time(() => parseProject(c.text, FILE, { A: '1', PORT: '7001' }))).reduce((a, b) => (b.ms < a.ms ? b : a));
      const peer = time(() => parseDocument(c.text, { uniqueKeys: false, prettyErrors: false }));
      console.log(`  case ${String(f.index).padStart(5)}  ${String(f.bytes).padStart(7)} B  ${fmt(f.ms).padStart(6)} ms in the run, ${fmt(again.ms).padStart(6)} ms alone (${fmt(again.cpuMs)} cpu), yaml ${fmt(peer.ms).padStart(6)} ms, ${String(f.problems).padStart(3)} problems  ${f.mutations.join(' | ').slice(0, 90)}`);
    }
    console.log(`\nload average at end: ${load()}`);
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();
