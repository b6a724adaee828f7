import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../shared/events';
import { formatLine, STDERR_MARK } from './log-format';

const line = (stream: LogLine['stream'], text: string): LogLine => ({ service: 'api', stream, ts: Date.UTC(2024, 0, 1, 12, 0, 0), line: text, n: 1 });

describe('log line format', () => {
  it('marks a stderr line with a quiet bar and leaves its text in the normal colour (never red)', () => {
    const out = formatLine(line('stderr', 'listening on :8080'), { timestamps: false });
    expect(out).toBe(`${STDERR_MARK}listening on :8080\r\n`);
    // No red foreground (SGR 31 or 91) anywhere in it.
    expect(out.includes('\u001b[31m') || out.includes('\u001b[91m')).toBe(false);
    // The bar is dim (SGR 2) and the dimming ends before the text.
    expect(STDERR_MARK.startsWith('\u001b[2m') && STDERR_MARK.endsWith('\u001b[22m')).toBe(true);
  });

  it('leaves stdout as it came, and keeps the merged prefix and the timestamp before the marker', () => {
    expect(formatLine(line('stdout', 'ok'), { timestamps: false })).toBe('ok\r\n');
    const merged = formatLine(line('stderr', 'warn'), { timestamps: true, prefixWidth: 5 });
    const plain = merged.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
    expect(plain).toMatch(/^api {3}\| \d\d:\d\d:\d\d\.\d{3} ▍warn\r\n$/);
  });
});
