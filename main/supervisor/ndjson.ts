// Newline-delimited framing for the supervisor socket: both ends split the byte stream the same way.
import type { Socket } from 'node:net';

/**
 * Calls `onLine` for every complete non-empty line. A peer that sends more than `maxLineBytes`
 * without a newline triggers `onOverflow` once, so it cannot make us buffer without bound.
 */
export function readLines(socket: Socket, onLine: (line: string) => void, maxLineBytes: number, onOverflow: () => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let start = 0;
    let nl: number;
    while ((nl = buffered.indexOf('\n', start)) >= 0) {
      if (nl > start) onLine(buffered.slice(start, nl));
      start = nl + 1;
    }
    buffered = buffered.slice(start);
    if (buffered.length > maxLineBytes) {
      buffered = '';
      onOverflow();
    }
  });
}

export function writeLine(socket: Socket, message: unknown): void {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(message)}\n`);
}
