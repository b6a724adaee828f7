import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, MultiplexDemuxer, type DemuxStream } from './demux.js';

interface Frame {
  stream: DemuxStream;
  payload: Buffer;
}

function collect(): { frames: Frame[]; demuxer: (raw?: boolean) => MultiplexDemuxer } {
  const frames: Frame[] = [];
  return {
    frames,
    demuxer: (raw = false) =>
      new MultiplexDemuxer((stream, payload) => frames.push({ stream, payload: Buffer.from(payload) }), { raw }),
  };
}

/** Merges consecutive same-stream payloads: chunking may legitimately not matter for content. */
function byStream(frames: Frame[]): Record<string, string> {
  const out: Record<string, string> = { stdin: '', stdout: '', stderr: '' };
  for (const f of frames) out[f.stream] += f.payload.toString('latin1');
  return out;
}

const frameArb = fc.record({
  stream: fc.constantFrom<DemuxStream>('stdout', 'stderr'),
  // Empty payloads are legal on the wire and must simply produce nothing.
  payload: fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.from(a)),
});

describe('MultiplexDemuxer', () => {
  it('emits every frame exactly, in order, for every single split point of the stream', () => {
    const input: Frame[] = [
      { stream: 'stdout', payload: Buffer.from('hello\n') },
      { stream: 'stderr', payload: Buffer.from('oops\n') },
      { stream: 'stdout', payload: Buffer.alloc(0) },
      { stream: 'stdout', payload: Buffer.from('x'.repeat(70)) },
    ];
    const wire = Buffer.concat(input.map((f) => encodeFrame(f.stream, f.payload)));
    const expected = JSON.stringify(input.filter((f) => f.payload.length > 0));
    const wrong: string[] = [];
    for (let a = 0; a <= wire.length; a++) {
      for (let b = a; b <= wire.length; b++) {
        const { frames, demuxer } = collect();
        const d = demuxer();
        d.push(wire.subarray(0, a));
        d.push(wire.subarray(a, b));
        d.push(wire.subarray(b));
        d.end();
        // Compared as JSON so ~6000 splits stay fast; failures are listed by split point.
        if (JSON.stringify(frames) !== expected || d.pending !== 0) wrong.push(`${a}/${b}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('property: any frames, cut into any chunks, come out as the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 30 }),
        (input, cutsRaw) => {
          const wire = Buffer.concat(input.map((f) => encodeFrame(f.stream, f.payload)));
          const cuts = [...new Set(cutsRaw.map((c) => c % (wire.length + 1)))].sort((x, y) => x - y);
          const { frames, demuxer } = collect();
          const d = demuxer();
          let prev = 0;
          for (const c of [...cuts, wire.length]) {
            d.push(wire.subarray(prev, c));
            prev = c;
          }
          expect(frames).toEqual(input.filter((f) => f.payload.length > 0));
          expect(d.pending).toBe(0);
          expect(d.isRaw).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('hands out views of the received chunk rather than copies when a frame lies in one chunk', () => {
    const wire = Buffer.concat([encodeFrame('stdout', Buffer.from('abc')), encodeFrame('stderr', Buffer.from('de'))]);
    const seen: Buffer[] = [];
    const d = new MultiplexDemuxer((_s, p) => seen.push(p));
    d.push(wire);
    expect(seen.map((b) => b.buffer === wire.buffer)).toEqual([true, true]);
  });

  it('passes TTY (non-multiplexed) output through as stdout when told it is raw', () => {
    const { frames, demuxer } = collect();
    const d = demuxer(true);
    d.push(Buffer.from('\x01\x00\x00\x00 looks like a header but is tty text\r\n'));
    d.push(Buffer.from('more'));
    expect(byStream(frames)).toEqual({ stdin: '', stdout: '\x01\x00\x00\x00 looks like a header but is tty text\r\nmore', stderr: '' });
  });

  it('detects a raw stream it was not told about and passes it through without losing bytes', () => {
    const { frames, demuxer } = collect();
    const d = demuxer();
    d.push(Buffer.from('plain'));
    d.push(Buffer.from(' text from a tty\n'));
    d.push(Buffer.from('next line\n'));
    expect(d.isRaw).toBe(true);
    expect(byStream(frames).stdout).toBe('plain text from a tty\nnext line\n');
  });

  it('property: raw text of any split is reproduced byte for byte', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 200 }).filter((s) => s.charCodeAt(0) > 2), fc.nat(), (text, cut) => {
        const buf = Buffer.from(text, 'latin1');
        const at = cut % (buf.length + 1);
        const { frames, demuxer } = collect();
        const d = demuxer();
        d.push(buf.subarray(0, at));
        d.push(buf.subarray(at));
        d.end();
        expect(byStream(frames).stdout).toBe(buf.toString('latin1'));
      }),
      { numRuns: 300 },
    );
  });

  it('emits a truncated trailing frame at end() instead of dropping it', () => {
    const { frames, demuxer } = collect();
    const d = demuxer();
    const full = encodeFrame('stderr', Buffer.from('partial line'));
    d.push(full.subarray(0, full.length - 4));
    expect(frames).toEqual([]);
    d.end();
    expect(frames).toEqual([{ stream: 'stderr', payload: Buffer.from('partial ') }]);
  });
});
