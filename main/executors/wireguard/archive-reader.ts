// Streams a package archive member by member: the file (bounded, hashed) → gunzip when it is
// gzip → a counter that stops a gzip bomb at the unpacked bound → tar-stream, which only parses.
// Whatever goes wrong below the member level comes back as a MemberProblem with a rule.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract, type Header } from 'tar-stream';
import { HarnessError } from '../../../shared/errors.js';
import type { ArchiveLimits } from './archive-limits.js';
import { MemberProblem } from './archive-rejection.js';

export type EntryBody = AsyncIterable<Uint8Array>;

export interface ReadSummary {
  /** Bytes of the file as given. */
  archiveBytes: number;
  /** Bytes of the tar stream (after gunzip). */
  unpackedBytes: number;
  gzip: boolean;
  /** sha256 of the file as given, hex. */
  sha256: string;
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

function counter(limit: number, problem: (n: number) => MemberProblem, onChunk?: (c: Buffer) => void): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      t.bytes += chunk.length;
      if (t.bytes > limit) return cb(problem(t.bytes));
      onChunk?.(chunk);
      cb(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

/** What a low-level failure means for the package. */
function asProblem(err: unknown, entriesSeen: number): unknown {
  if (err instanceof MemberProblem || err instanceof HarnessError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.name === 'AbortError') return new HarnessError('CANCELLED', 'the package check was cancelled');
  const msg = String(e?.message ?? err);
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) return new MemberProblem('corrupt', undefined, `gzip data: ${msg}`);
  if (/Invalid tar header/.test(msg)) return new MemberProblem(entriesSeen === 0 ? 'not-an-archive' : 'corrupt', undefined, entriesSeen === 0 ? undefined : `a header after member ${entriesSeen}: ${msg}`);
  if (/Unexpected end of data/.test(msg)) {
    return entriesSeen === 0 ? new MemberProblem('not-an-archive', undefined, 'too short to hold a tar header') : new MemberProblem('corrupt', undefined, 'it ends inside a member (truncated)');
  }
  if (/Header exceeds max size|Invalid header/.test(msg)) return new MemberProblem('corrupt', undefined, msg);
  return err;
}

/**
 * Calls `onEntry` for every member in order; the body must be consumed or left (it is drained).
 * Rejects with MemberProblem (a rule), HarnessError CANCELLED, or an I/O error of the file.
 */
export async function readArchive(
  file: string,
  limits: ArchiveLimits,
  onEntry: (header: Header, body: EntryBody) => Promise<void>,
  signal?: AbortSignal,
  onProgress?: (bytesRead: number, totalBytes: number) => void,
): Promise<ReadSummary> {
  const st = await stat(file);
  if (!st.isFile()) throw new MemberProblem('not-an-archive', undefined, 'not a regular file');
  if (st.size > limits.maxArchiveBytes) throw new MemberProblem('archive-too-large', undefined, `${st.size} bytes, the limit is ${limits.maxArchiveBytes}`);
  const gzip = await isGzip(file);
  const hash = createHash('sha256');
  const raw = counter(limits.maxArchiveBytes, () => new MemberProblem('archive-too-large', undefined, `more than ${limits.maxArchiveBytes} bytes`), (c) => {
    hash.update(c);
    onProgress?.(raw.bytes, st.size);
  });
  const unpacked = counter(limits.maxUnpackedBytes, () => new MemberProblem('unpacked-too-large', undefined, `more than ${limits.maxUnpackedBytes} bytes`));
  const extract = tarExtract();
  // Failures come back through the pipeline and the iterator; never as a thrown 'error' event.
  extract.on('error', () => undefined);
  const stages = gzip ? [createReadStream(file), raw, createGunzip(), unpacked, extract] : [createReadStream(file), raw, unpacked, extract];
  const feeding = pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], signal ? { signal } : {});
  // Its failure is also the iterator's, handled below; without a handler now, an early one would
  // count as unhandled.
  feeding.catch(() => undefined);
  let seen = 0;
  try {
    for await (const entry of extract) {
      seen++;
      if (signal?.aborted) throw new HarnessError('CANCELLED', 'the package check was cancelled');
      await onEntry(entry.header, entry as unknown as EntryBody);
      for await (const _ of entry) {
        // left unread by onEntry: drained so the next header can be parsed
      }
    }
    await feeding;
  } catch (err) {
    extract.destroy();
    await feeding.catch(() => undefined);
    throw asProblem(err, seen);
  }
  if (unpacked.bytes === 0) throw new MemberProblem('not-an-archive', undefined, 'it is empty');
  return { archiveBytes: raw.bytes, unpackedBytes: unpacked.bytes, gzip, sha256: hash.digest('hex') };
}
