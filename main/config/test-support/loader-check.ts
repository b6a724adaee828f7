// What every load result must satisfy, whatever the input: used by the fuzz and limits tests.
import { parseDocument } from 'yaml';
import type { LoadResult } from '../config-document.js';
import { LIMITS } from '../fields.js';

/** Problems with no position by design: about the file as a whole (line 0, printed as the file). */
const FILE_LEVEL = [/^the file is larger than /, /^cannot read /];

/** Each violated rule as a sentence; empty when the result is sound. */
export function resultViolations(text: string, file: string, r: LoadResult): string[] {
  const out: string[] = [];
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineLength = (line: number) => (line < lineStarts.length ? lineStarts[line] - 1 : text.length) - lineStarts[line - 1];
  const errors = r.problems.filter((p) => p.severity === 'error').length;
  if (r.config === null && errors === 0) out.push('no config and no error');
  if (r.config !== null && errors > 0) out.push(`a config despite ${errors} error(s)`);
  if (r.problems.length > LIMITS.maxProblems + 1) out.push(`${r.problems.length} problems listed (at most ${LIMITS.maxProblems} + 1)`);
  r.problems.forEach((p, i) => {
    const what = `problem ${i} (${p.line}:${p.column} ${JSON.stringify(p.message.slice(0, 80))})`;
    if (typeof p.message !== 'string' || p.message === '') out.push(`${what} has no message`);
    if (p.message.length > 600 || p.path.length > 600) out.push(`${what} is ${p.message.length}/${p.path.length} characters long`);
    if (p.file !== file) out.push(`${what} names ${p.file}, not the file`);
    if (p.line === 0) {
      if (p.column !== 0 || !FILE_LEVEL.some((re) => re.test(p.message))) out.push(`${what} has no location`);
      return;
    }
    if (!Number.isInteger(p.line) || p.line < 1 || p.line > lineStarts.length) out.push(`${what}: line outside the file (1-${lineStarts.length})`);
    else if (!Number.isInteger(p.column) || p.column < 1 || p.column > lineLength(p.line) + 1) out.push(`${what}: column outside line ${p.line}`);
    if (p.message.startsWith('… and ') && i !== r.problems.length - 1) out.push(`${what}: the "… and N more" line is not last`);
  });
  return out;
}

/** Wall-clock and CPU time of `f`. The CPU time is this process's own (all threads): unlike the
 * wall clock it hardly moves when other work shares the machine, so budgets check it. */
export function timed<T>(f: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

/** Per-load budget of the fuzz and limits tests (issue 8: "well under a second"), in CPU time and
 * wall time both: a case fails only when both are over, so a busy machine alone cannot fail it. */
export const CASE_BUDGET_MS = 1000;

/** A load over the budget still passes when it is within this many times yaml's own parse of the
 * same text (a large but linear input on a slow or busy machine); a blow-up is far beyond it (the
 * old loader's were 20–1000x). */
export const PARSE_FACTOR = 5;

export interface TimedLoad<T> {
  value: T;
  wallMs: number;
  cpuMs: number;
  /** CPU time of yaml's parse of the same text, measured only when the load was over budget. */
  parseCpuMs?: number;
}

export function overBudget(t: { wallMs: number; cpuMs: number; parseCpuMs?: number }): boolean {
  const budget = Math.max(CASE_BUDGET_MS, PARSE_FACTOR * (t.parseCpuMs ?? 0));
  return t.wallMs > budget && t.cpuMs > budget;
}

/** `f` timed; when over the budget but not by far (a cold JIT, a burst of other work), once more,
 * keeping the faster run; when still over, yaml's own parse of `text` is timed for comparison. A
 * step gone quadratic is over by far and is not run twice. */
export function timedWithin<T>(f: () => T, text?: string): TimedLoad<T> {
  const first = timed(f);
  if (!overBudget(first) || first.cpuMs > 5 * CASE_BUDGET_MS) return first;
  const second = timed(f);
  const best: TimedLoad<T> = second.cpuMs < first.cpuMs ? second : first;
  if (!overBudget(best) || text === undefined) return best;
  return { ...best, parseCpuMs: timed(() => parseDocument(text, { keepSourceTokens: true, uniqueKeys: false })).cpuMs };
}
