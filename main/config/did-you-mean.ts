// "did you mean" suggestions for unknown keys, target types and dependency names.

export function levenshtein(a: string, b: string): number {
  return boundedLevenshtein(a, b, Math.max(a.length, b.length));
}

// Two rows reused by every call: a suggestion search compares one word with up to 1000 names.
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** The edit distance of `a` and `b` when it is at most `max`, else `max + 1`. Only the diagonal
 * band of width 2·max+1 is computed and the search stops once every cell of a row exceeds `max`,
 * so a suggestion for a megabyte-long key costs no more than one for a short one. */
export function boundedLevenshtein(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const over = max + 1;
  if (Math.abs(a.length - b.length) > max) return over;
  if (rowA.length <= b.length && b.length < 4096) {
    rowA = new Int32Array(b.length + 1);
    rowB = new Int32Array(b.length + 1);
  }
  // Rows for a long `b` are not kept (a full distance of two long texts is only for tests).
  let prev = rowA.length > b.length ? rowA : new Int32Array(b.length + 1);
  let cur = rowB.length > b.length ? rowB : new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j <= max ? j : over;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - max);
    const to = Math.min(b.length, i + max);
    // The cells just outside the band count as "too far"; the next row reads them.
    cur[from - 1] = from === 1 ? (i <= max ? i : over) : over;
    if (to < b.length) cur[to + 1] = over;
    let rowMin = cur[from - 1];
    const ca = a.charCodeAt(i - 1);
    for (let j = from; j <= to; j++) {
      let d = prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      if (prev[j] + 1 < d) d = prev[j] + 1;
      if (cur[j - 1] + 1 < d) d = cur[j - 1] + 1;
      cur[j] = d > over ? over : d;
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return over;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[b.length], over);
}

/** The closest candidate within a distance that still looks like a typo, else undefined.
 * Case-insensitive match wins outright (`process` → `Process`); among equally close candidates
 * the first one wins. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const allowed = Math.max(1, Math.min(3, Math.floor(Math.max(word.length, 1) / 3)));
  let best: string | undefined;
  let bestDist = allowed + 1;
  for (const c of candidates) {
    const cl = c.toLowerCase();
    if (cl === lower) return c;
    // Only a length within `allowed` can be close enough.
    if (Math.abs(cl.length - lower.length) > allowed) continue;
    if (bestDist === 1) continue; // nothing but a case-insensitive match can beat 1 now
    // Two neighbours swapped (`redsi` for `redis`) is one slip of the fingers, not two edits.
    const d = swapsOneNeighbourPair(lower, cl) ? 1 : boundedLevenshtein(lower, cl, bestDist - 1);
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

/** True when `b` is `a` with exactly one pair of adjacent characters swapped. */
export function swapsOneNeighbourPair(a: string, b: string): boolean {
  if (a.length !== b.length || a.length < 2) return false;
  let i = 0;
  while (i < a.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i >= a.length - 1) return false;
  if (a.charCodeAt(i) !== b.charCodeAt(i + 1) || a.charCodeAt(i + 1) !== b.charCodeAt(i)) return false;
  return a.slice(i + 2) === b.slice(i + 2);
}

/** Field names as Docker Compose (and other tools) spell them, and what services.yaml calls them. */
export const FAMILIAR_FIELDS: Readonly<Record<string, string>> = {
  workdir: 'working_dir',
  'working-dir': 'working_dir',
  workingdir: 'working_dir',
  cwd: 'working_dir',
  environment: 'env',
  depends_on: 'dependencies',
  'depends-on': 'dependencies',
  healthcheck: 'health_check',
  command: 'args',
  stop_grace: 'stop_grace_period',
};

/** For an unknown field: what services.yaml calls a familiar word, when that field exists here,
 * else the closest known field. */
export function suggestField(key: string, known: readonly string[]): string {
  const ours = FAMILIAR_FIELDS[key.toLowerCase()];
  if (ours && known.includes(ours)) return ` (services.yaml calls it "${ours}")`;
  // Written on the service where services.yaml has it inside the target (Compose's `environment:`).
  if (ours && IN_TARGET.has(ours) && known.includes('target')) return ` (services.yaml calls it "${ours}", a field of target)`;
  return didYouMean(key, known);
}

const IN_TARGET: ReadonlySet<string> = new Set(['env', 'working_dir', 'args']);

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}
