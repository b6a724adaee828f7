// Minimal text edits located by node ranges, so everything an edit does not touch stays
// byte-identical (yaml's own toString would re-indent and re-space the whole file).
import { stringify, type Node } from 'yaml';

export interface Splice {
  start: number;
  end: number;
  text: string;
}

export function applySplices(text: string, splices: Splice[]): string {
  // From the end backwards, so earlier offsets stay valid.
  let out = text;
  for (const s of [...splices].sort((a, b) => b.start - a.start)) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

export function lineStart(text: string, off: number): number {
  return text.lastIndexOf('\n', off - 1) + 1;
}

/** Offset just after the line holding the character before `off` (after its newline). */
export function afterLine(text: string, off: number): number {
  if (off > 0 && text[off - 1] === '\n') return off;
  const nl = text.indexOf('\n', off);
  return nl < 0 ? text.length : nl + 1;
}

export function column(text: string, off: number): number {
  return off - lineStart(text, off);
}

/** Inserts whole lines at `at` (a line start, or the end of a text without a final newline). */
export function insertLines(text: string, at: number, lines: string): Splice {
  const needsNl = at === text.length && text.length > 0 && !text.endsWith('\n');
  return { start: at, end: at, text: (needsNl ? '\n' : '') + lines };
}

/** A scalar as YAML writes it inline (quoted when it would otherwise read as something else). */
export function inlineScalar(v: string | number | boolean): string {
  return stringify(v).trimEnd();
}

/** A value in block style, every line prefixed with `indent` spaces and ending in a newline. */
export function blockLines(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  return stringify(value, { indent: 2, lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((l) => (l === '' ? l : pad + l))
    .join('\n')
    .concat('\n');
}

export function rangeOf(n: Node | null | undefined): [number, number] | undefined {
  const r = n?.range;
  return r ? [r[0], r[1]] : undefined;
}

/** Column of the `- ` that introduces a block sequence item starting at `itemStart`. */
export function dashColumn(text: string, itemStart: number): number | undefined {
  const ls = lineStart(text, itemStart);
  const before = text.slice(ls, itemStart);
  const i = before.lastIndexOf('-');
  return i >= 0 && /^\s*$/.test(before.slice(0, i)) ? i : undefined;
}
