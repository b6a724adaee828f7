// Suggestions: the bounded distance agrees with the textbook one, and `closest` picks what the
// plain search over every candidate picked (the loader's messages did not change with the speed-up).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedLevenshtein, closest, didYouMean, levenshtein, suggestField, swapsOneNeighbourPair } from './did-you-mean.js';

function textbook(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** The search as it was before it was bounded: every candidate, full distance. */
function plainClosest(word: string, candidates: string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    if (c.toLowerCase() === lower) return c;
    // One swapped pair of neighbours counts as a single slip.
    const d = swapsOneNeighbourPair(lower, c.toLowerCase()) ? 1 : textbook(lower, c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(Math.max(word.length, 1) / 3)));
  return bestDist <= allowed ? best : undefined;
}

// Short words over a small alphabet, so that near misses are common.
const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', '-', '_', 'é'), maxLength: 12 });

describe('did you mean', () => {
  it('boundedLevenshtein is the edit distance when within the bound, else bound + 1', () => {
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 6 }), (a, b, max) => {
        const d = textbook(a, b);
        expect(boundedLevenshtein(a, b, max)).toBe(d <= max ? d : max + 1);
        expect(levenshtein(a, b)).toBe(d);
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('closest picks what the search over every candidate picked', () => {
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 15 }), (w, candidates) => {
        expect(closest(w, candidates)).toBe(plainClosest(w, candidates));
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('suggests typos and case slips, not unrelated words', () => {
    expect(didYouMean('dependecies', ['name', 'target', 'dependencies'])).toBe(' (did you mean "dependencies"?)');
    expect(didYouMean('process', ['Process', 'Docker'])).toBe(' (did you mean "Process"?)');
    expect(didYouMean('xyz', ['Process', 'Docker'])).toBe('');
  });

  it('a megabyte-long word costs no distance computation at all', () => {
    expect(closest('k'.repeat(1_000_000), ['services', 'name'])).toBeUndefined();
    expect(boundedLevenshtein('k'.repeat(1_000_000), 'k'.repeat(999_999), 3)).toBe(1);
  });
});

describe('suggestions a person recognises', () => {
  it('two swapped neighbours count as one slip: redsi is redis', () => {
    expect(closest('redsi', ['api', 'redis', 'web'])).toBe('redis');
    expect(didYouMean('wrokdir', ['workdir', 'working_dir'])).toBe(' (did you mean "workdir"?)');
    expect(swapsOneNeighbourPair('ab', 'ba')).toBe(true);
    expect(swapsOneNeighbourPair('abc', 'acb')).toBe(true);
    expect(swapsOneNeighbourPair('abcd', 'badc')).toBe(false);
    expect(swapsOneNeighbourPair('abc', 'abc')).toBe(false);
  });

  it.each([
    ['workdir', ['binary', 'args', 'env', 'working_dir', 'ports'], ' (services.yaml calls it "working_dir")'],
    ['working-dir', ['binary', 'args', 'env', 'working_dir', 'ports'], ' (services.yaml calls it "working_dir")'],
    ['environment', ['image', 'env', 'ports', 'volumes', 'command'], ' (services.yaml calls it "env")'],
    ['command', ['type', 'binary', 'args', 'env', 'working_dir', 'ports'], ' (services.yaml calls it "args")'],
    ['depends_on', ['name', 'target', 'dependencies', 'health_check'], ' (services.yaml calls it "dependencies")'],
    ['healthcheck', ['name', 'target', 'dependencies', 'health_check'], ' (services.yaml calls it "health_check")'],
    ['environment', ['name', 'target', 'dependencies', 'health_check'], ' (services.yaml calls it "env", a field of target)'],
  ])('Compose users\' word %s points to ours', (word, known, hint) => {
    expect(suggestField(word, known)).toBe(hint);
  });
});
