// Splits raw output of one (service, stream) into lines. A chunk boundary may fall anywhere,
// including inside a multi-byte UTF-8 character, so Buffers go through a StringDecoder and the
// unterminated tail is kept until its newline arrives (or until it grows past `maxPartial`, so a
// process that never prints a newline cannot make us buffer without bound). No line longer than
// `maxPartial` is emitted: a longer one, terminated or not, comes in pieces of that size.
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private decoder: StringDecoder | null = null;
  private partial = '';

  constructor(private readonly maxPartial: number) {}

  /** Calls `emit` for every complete line in `chunk` (without '\n' and a trailing '\r'). */
  push(chunk: string | Buffer, emit: (line: string) => void): void {
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else {
      this.decoder ??= new StringDecoder('utf8');
      text = this.decoder.write(chunk);
    }
    if (text.length === 0) return;
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl >= 0 && this.partial.length > 0) {
      this.whole(stripCr(this.partial + text.slice(0, nl)), emit);
      this.partial = '';
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    while (nl >= 0) {
      this.whole(stripCr(text.slice(start, nl)), emit);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) {
      this.partial = this.partial.length > 0 ? this.partial + text.slice(start) : text.slice(start);
      // A very long unterminated line is flushed in pieces of maxPartial characters.
      while (this.partial.length >= this.maxPartial) {
        emit(this.partial.slice(0, this.maxPartial));
        this.partial = this.partial.slice(this.maxPartial);
      }
    }
  }

  /** The stream ended: emits what is left, if anything. */
  end(emit: (line: string) => void): void {
    const rest = this.decoder ? this.decoder.end() : '';
    this.decoder = null;
    const tail = this.partial + rest;
    this.partial = '';
    if (tail.length > 0) this.whole(stripCr(tail), emit);
  }

  private whole(line: string, emit: (line: string) => void): void {
    if (line.length <= this.maxPartial) return emit(line);
    for (let i = 0; i < line.length; i += this.maxPartial) emit(line.slice(i, i + this.maxPartial));
  }
}

function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}
