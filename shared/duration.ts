// Durations in services.yaml: a string of number+unit parts (`250ms`, `2s`, `1m30s`, `1.5s`,
// `1h`) or a non-negative integer of milliseconds. Pure, so the renderer can use it too.

/** Largest duration accepted: what a Node timer can wait for (about 24.8 days). */
export const MAX_DURATION_MS = 2_147_483_647;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;

/** Milliseconds, or undefined when `v` is not a valid duration (negative, no unit, unknown unit,
 * fractional milliseconds given as a number, larger than MAX_DURATION_MS). */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') {
    return Number.isInteger(v) && v >= 0 && v <= MAX_DURATION_MS ? v : undefined;
  }
  const text = v.trim();
  if (text === '') return undefined;
  // A bare integer string is milliseconds too, so `${TIMEOUT:-500}` works after interpolation.
  if (/^\d+$/.test(text)) return parseDuration(Number(text));
  let total = 0;
  let lastUnit = Infinity;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== start) return undefined;
    const unitMs = UNIT_MS[m[2]];
    // Units must go from larger to smaller (`1m30s`, not `30s1m`), each used once.
    if (unitMs >= lastUnit) return undefined;
    lastUnit = unitMs;
    total += Number(m[1]) * unitMs;
  }
  const ms = Math.round(total);
  return ms <= MAX_DURATION_MS ? ms : undefined;
}

/** The shortest unit string for `ms`: 0 → "0ms", 1500 → "1s500ms", 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a duration: ${ms}`);
  let rest = Math.round(ms);
  if (rest === 0) return '0ms';
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
