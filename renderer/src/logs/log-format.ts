// Turns log lines into terminal text. Pure, so the format is the same in every pane.
import type { LogLine } from '../../../shared/events';

const PALETTE = [36, 32, 35, 33, 34, 96, 92, 95, 93, 94];
const RESET = '\x1b[0m';
/** Before a stderr line: a dim bar, not red text (plenty of programs log normally to stderr). */
export const STDERR_MARK = '\x1b[2m▍\x1b[22m';

/** A stable colour per service name (same hash every run, so a service keeps its colour). */
export function serviceColour(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

function timestamp(ts: number): string {
  const d = new Date(ts);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `\x1b[2m${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}${RESET} `;
}

function body(l: LogLine): string {
  if (l.stream === 'stderr') return `${STDERR_MARK}${l.line}`;
  if (l.stream === 'system') return `\x1b[33m${l.line}${RESET}`;
  return l.line;
}

export function formatLine(l: LogLine, opts: { timestamps: boolean; prefixWidth?: number }): string {
  const ts = opts.timestamps ? timestamp(l.ts) : '';
  if (opts.prefixWidth === undefined) return `${ts}${body(l)}\r\n`;
  const prefix = `\x1b[${serviceColour(l.service)}m${l.service.padEnd(opts.prefixWidth)} |${RESET} `;
  return `${prefix}${ts}${body(l)}\r\n`;
}

export function droppedMarker(service: string, count: number, why: string): string {
  return `\x1b[30;43m[harness] ${count} line${count === 1 ? '' : 's'} of ${service} dropped (${why})${RESET}\r\n`;
}
