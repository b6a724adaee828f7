// Collects the problems of a file, each with its location and field path. A hostile file can
// cause hundreds of thousands of them, so only the first LIMITS.maxProblems are kept (errors
// before warnings, then by position) and the rest are counted in one final located line. Messages
// may be given as functions: those of problems that are not kept are never computed, which keeps
// costly ones ("did you mean" over a thousand names) off the hot path.
import type { ConfigProblem } from '../../shared/config-types.js';
import { LIMITS } from './fields.js';

export interface Pos {
  line: number;
  column: number;
}

/** File-level problems (cannot read, too large) have no position: line 0, printed as the file. */
export const NO_POS: Pos = { line: 0, column: 0 };

export type Message = string | (() => string);

interface Held {
  file: string;
  line: number;
  column: number;
  path: string;
  message: Message;
  severity: 'error' | 'warning';
  /** 0 for the project file, 1 for others (`.env`): the order problems are listed in. */
  rank: number;
  seq: number;
}

/** Longest message or path kept whole; a longer one (a megabyte-long key) keeps both ends. */
const MAX_TEXT = 480;

export class ProblemList {
  /** The kept problems, best first in `retention` order; at most `limit` of them. */
  private readonly kept: Held[] = [];
  private seq = 0;
  private errors = 0;
  private warnings = 0;
  private omittedErrors = 0;
  private omittedWarnings = 0;
  private firstOmitted: Held | undefined;

  constructor(
    readonly file: string,
    readonly limit: number = LIMITS.maxProblems,
  ) {}

  error(pos: Pos, path: string, message: Message, file = this.file): void {
    this.errors++;
    this.add({ file, line: pos.line, column: pos.column, path, message, severity: 'error', rank: file === this.file ? 0 : 1, seq: this.seq++ });
  }

  warn(pos: Pos, path: string, message: Message, file = this.file): void {
    this.warnings++;
    this.add({ file, line: pos.line, column: pos.column, path, message, severity: 'warning', rank: file === this.file ? 0 : 1, seq: this.seq++ });
  }

  get hasErrors(): boolean {
    return this.errors > 0;
  }

  /** Every error reported, kept or not. */
  get errorCount(): number {
    return this.errors;
  }

  /** Every problem reported, listed or not. */
  get counts(): { errors: number; warnings: number } {
    return { errors: this.errors, warnings: this.warnings };
  }

  /** The kept problems in reading order (file-level first, then by position, `.env` last), and a
   * final "… and N more problems" line located at the first one left out, if any were. */
  get items(): ConfigProblem[] {
    const out = [...this.kept].sort(byPosition).map(toProblem);
    const omitted = this.omittedErrors + this.omittedWarnings;
    if (this.firstOmitted && omitted > 0) {
      const f = this.firstOmitted;
      const parts = [this.omittedErrors && plural(this.omittedErrors, 'error'), this.omittedWarnings && plural(this.omittedWarnings, 'warning')];
      out.push({
        file: f.file,
        line: f.line,
        column: f.column,
        path: '',
        message: `… and ${plural(omitted, 'more problem')} (${parts.filter(Boolean).join(', ')}) not listed, the first of them here; fix the ones above and validate again`,
        severity: this.omittedErrors > 0 ? 'error' : 'warning',
      });
    }
    return out;
  }

  private add(h: Held): void {
    if (this.kept.length >= this.limit) {
      const worst = this.kept[this.kept.length - 1];
      if (retention(h, worst) >= 0) return this.omit(h);
      this.kept.pop();
      this.omit(worst);
    }
    // Binary insertion keeps `kept` ordered; it holds at most `limit` (100) entries.
    let lo = 0;
    let hi = this.kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (retention(this.kept[mid], h) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.kept.splice(lo, 0, h);
  }

  private omit(h: Held): void {
    if (h.severity === 'error') this.omittedErrors++;
    else this.omittedWarnings++;
    if (!this.firstOmitted || byPosition(h, this.firstOmitted) < 0) this.firstOmitted = h;
  }
}

/** Which problems are kept when there are too many: errors first, then in reading order. */
function retention(a: Held, b: Held): number {
  return (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) || byPosition(a, b);
}

function byPosition(a: Held, b: Held): number {
  return a.rank - b.rank || a.line - b.line || a.column - b.column || a.seq - b.seq;
}

function toProblem(h: Held): ConfigProblem {
  const message = typeof h.message === 'function' ? h.message() : h.message;
  return { file: h.file, line: h.line, column: h.column, path: clip(h.path), message: clip(message), severity: h.severity };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A long text with its middle cut out, so both the start and a trailing hint survive. */
export function clip(s: string, max = MAX_TEXT): string {
  if (s.length <= max) return s;
  const head = Math.floor(max * 0.7);
  return `${s.slice(0, head)}…[${s.length - max} characters]…${s.slice(s.length - (max - head))}`;
}

/** `file:line:col: path: message` — the form the CLI prints. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.severity}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}
