import { describe, expect, it } from 'vitest';
import type { LogBatch, LogLine } from '../../shared/events.js';
import { EventSession } from './event-session.js';

const line = (n: number, service = 'api'): LogLine => ({ service, stream: 'stdout', ts: n, line: `line ${n}`, n });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function collect() {
  const sent: Array<{ event: string; payload: unknown }> = [];
  return { sent, send: (event: string, payload: unknown) => sent.push({ event, payload }) };
}

describe('EventSession', () => {
  it('coalesces log lines pushed in the same window into one batch', async () => {
    const { sent, send } = collect();
    const s = new EventSession(send, { flushMs: 5 });
    for (let i = 0; i < 100; i++) s.push('logs', { lines: [line(i)] });
    expect(sent).toHaveLength(0);
    await wait(30);
    expect(sent).toHaveLength(1);
    expect((sent[0].payload as LogBatch).lines.map((l) => l.n)).toEqual([...Array(100).keys()]);
  });

  it('delivers pending log lines before a status event, keeping causality', () => {
    const { sent, send } = collect();
    const s = new EventSession(send, { flushMs: 1000 });
    s.push('logs', { lines: [line(1)] });
    s.push('status', { seq: 1 });
    expect(sent.map((m) => m.event)).toEqual(['logs', 'status']);
  });

  it('pauses at the high watermark and resumes when acknowledgements bring it under the low one', async () => {
    const { sent, send } = collect();
    const s = new EventSession(send, { flushMs: 1, highWatermark: 100, lowWatermark: 20, maxBatch: 1000 });
    s.push('logs', { lines: Array.from({ length: 250 }, (_, i) => line(i)) });
    await wait(20);
    const delivered = () => sent.reduce((n, m) => n + (m.payload as LogBatch).lines.length, 0);
    expect(delivered()).toBe(100);
    expect(s.stats().paused).toBe(true);
    s.ack(50); // 50 unacked: still above the low watermark
    await wait(20);
    expect(delivered()).toBe(100);
    s.ack(40); // 10 unacked: resume up to the high watermark again
    await wait(20);
    expect(delivered()).toBe(190);
    s.ack(190);
    await wait(20);
    expect(delivered()).toBe(250);
    expect(sent.flatMap((m) => (m.payload as LogBatch).lines.map((l) => l.n))).toEqual([...Array(250).keys()]);
  });

  it('drops the oldest lines beyond its buffer and says how many, per service', async () => {
    const { sent, send } = collect();
    const s = new EventSession(send, { flushMs: 1, highWatermark: 10, lowWatermark: 0, maxBuffered: 50 });
    s.push('logs', { lines: Array.from({ length: 10 }, (_, i) => line(i, 'a')) });
    await wait(10); // 10 sent, now paused
    s.push('logs', { lines: Array.from({ length: 70 }, (_, i) => line(100 + i, 'b')) });
    s.ack(10);
    for (let i = 0; i < 20 && s.stats().buffered > 0; i++) {
      await wait(5);
      s.ack(s.stats().unacked);
    }
    const batches = sent.map((m) => m.payload as LogBatch);
    const dropped = batches.reduce((n, b) => n + (b.dropped?.b ?? 0), 0);
    const bLines = batches.flatMap((b) => b.lines).filter((l) => l.service === 'b');
    expect(dropped).toBe(20);
    expect(bLines).toHaveLength(50);
    expect(bLines[0].n).toBe(120); // the oldest twenty went
    expect(dropped + bLines.length).toBe(70);
  });

  it('sends nothing after close', async () => {
    const { sent, send } = collect();
    const s = new EventSession(send, { flushMs: 1 });
    s.push('logs', { lines: [line(1)] });
    s.close();
    s.push('status', { seq: 2 });
    await wait(10);
    expect(sent).toHaveLength(0);
  });
  it('cuts batches by bytes too: 300 lines of 64 KiB go in batches of at most 2 MiB, in order', async () => {
    const { sent, send } = collect();
    const s = new EventSession(send, { flushMs: 1 });
    const big = 'x'.repeat(64 * 1024);
    s.push('logs', { lines: Array.from({ length: 300 }, (_, i) => ({ ...line(i), line: big })) });
    for (let i = 0; i < 200 && sent.reduce((n, m) => n + (m.payload as LogBatch).lines.length, 0) < 300; i++) await wait(5);
    const batches = sent.map((m) => m.payload as LogBatch);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(JSON.stringify(b).length).toBeLessThanOrEqual(2 * 1024 * 1024 + 64 * 1024 + 200);
    expect(batches.flatMap((b) => b.lines.map((l) => l.n))).toEqual([...Array(300).keys()]);
  });

  it('sends a single line larger than the byte bound on its own', async () => {
    const { sent, send } = collect();
    const s = new EventSession(send, { flushMs: 1, maxBatchBytes: 100 });
    s.push('logs', { lines: [{ ...line(1), line: 'y'.repeat(500) }, line(2)] });
    for (let i = 0; i < 100 && sent.length < 2; i++) await wait(5);
    expect(sent.map((m) => (m.payload as LogBatch).lines.map((l) => l.n))).toEqual([[1], [2]]);
  });
});
