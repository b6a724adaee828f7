// Reading container output: following it live (with history since the container started) and
// fetching the last lines, both through the offset-based demuxer.
import type Docker from 'dockerode';
import type { LogStream } from '../../../shared/events.js';
import { MultiplexDemuxer } from './demux.js';

export type LogSink = (stream: LogStream, chunk: Buffer) => void;

export interface FollowOptions {
  /** TTY containers have one raw stream; the demuxer then passes bytes through as stdout. */
  tty: boolean;
  /** Unix seconds; history from here on is replayed before live output. 0 = everything. */
  since: number;
  signal: AbortSignal;
}

/** Streams the container's output into `sink` until the container stops or `signal` aborts.
 * Resolves when the stream ends; never rejects (a lost stream just ends the follow). */
export async function followLogs(container: Docker.Container, opts: FollowOptions, sink: LogSink): Promise<void> {
  if (opts.signal.aborted) return;
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await container.logs({
      follow: true,
      stdout: true,
      stderr: true,
      since: opts.since,
      abortSignal: opts.signal,
    } as Docker.ContainerLogsOptions & { follow: true })) as NodeJS.ReadableStream;
  } catch {
    return;
  }
  const demux = new MultiplexDemuxer((s, payload) => sink(s === 'stderr' ? 'stderr' : 'stdout', payload), { raw: opts.tty });
  await new Promise<void>((resolve) => {
    const done = (): void => {
      opts.signal.removeEventListener('abort', onAbort);
      demux.end();
      resolve();
    };
    const onAbort = (): void => {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      done();
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => demux.push(chunk));
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}

/** The last `tail` lines the engine kept, per stream, in the order they were written. */
export async function tailLogs(
  container: Docker.Container,
  tty: boolean,
  tail: number,
): Promise<Array<{ stream: LogStream; line: string }>> {
  const raw = (await container.logs({ follow: false, stdout: true, stderr: true, tail })) as unknown as Buffer;
  const out: Array<{ stream: LogStream; line: string }> = [];
  const partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const demux = new MultiplexDemuxer(
    (s, payload) => {
      const stream = s === 'stderr' ? 'stderr' : 'stdout';
      const lines = (partial[stream] + payload.toString('utf8')).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) out.push({ stream, line: line.replace(/\r$/, '') });
    },
    { raw: tty },
  );
  demux.push(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
  demux.end();
  for (const stream of ['stdout', 'stderr'] as const) if (partial[stream]) out.push({ stream, line: partial[stream] });
  return out.slice(-tail);
}
