// Typed readers over the positioned tree: each returns the value when it has the right shape and
// otherwise records a problem at the offending node and returns undefined.
import { parseDuration } from '../../shared/duration.js';
import { didYouMean, suggestField } from './did-you-mean.js';
import type { FieldSpec } from './fields.js';
import type { ProblemList } from './problems.js';
import type { YEntry, YMap, YNode, YSeq } from './yaml-tree.js';

export function describe(n: YNode): string {
  if (n.kind === 'map') return 'a map';
  if (n.kind === 'seq') return 'a list';
  const v = n.value;
  if (v === null) return 'nothing (null)';
  if (typeof v === 'string') return `the string "${v.length > 30 ? `${v.slice(0, 30)}…` : v}"`;
  if (typeof v === 'number') return `the number ${v}`;
  return `${v}`;
}

/** `"value"` for a string scalar, else the description. */
export function quoted(n: YNode): string {
  return n.kind === 'scalar' && typeof n.value === 'string' ? `"${n.value}"` : describe(n);
}

export class Readers {
  constructor(readonly problems: ProblemList) {}

  map(n: YNode, what = 'a map'): YMap | undefined {
    if (n.kind === 'map') return n;
    this.problems.error(n.pos, n.path, `expected ${what}, got ${describe(n)}`);
    return undefined;
  }

  seq(n: YNode, what = 'a list'): YSeq | undefined {
    if (n.kind === 'seq') return n;
    this.problems.error(n.pos, n.path, `expected ${what}, got ${describe(n)}`);
    return undefined;
  }

  /** Reports unknown keys (with a suggestion) and missing required ones (at the map). */
  keys(m: YMap, spec: FieldSpec, opts: { allowExtensions?: boolean; required?: readonly string[] } = {}): void {
    for (const e of m.entries) {
      if (spec.keys.includes(e.key)) continue;
      if (opts.allowExtensions && e.key.startsWith('x-')) continue;
      // Lazy: a file with 50,000 unknown fields only pays for the suggestions it lists.
      this.problems.error(e.keyPos, e.value.path, () => `unknown field "${e.key}"${suggestField(e.key, spec.keys)}`);
    }
    for (const k of opts.required ?? spec.required) {
      if (!m.entries.some((e) => e.key === k)) this.problems.error(m.pos, m.path, `missing required field "${k}"`);
    }
  }

  string(n: YNode, opts: { nonEmpty?: boolean } = { nonEmpty: true }): string | undefined {
    if (n.kind === 'scalar' && typeof n.value === 'string') {
      if (opts.nonEmpty && n.value.trim() === '') {
        this.problems.error(n.pos, n.path, 'must not be empty');
        return undefined;
      }
      return n.value;
    }
    this.problems.error(n.pos, n.path, `expected a string, got ${describe(n)}`);
    return undefined;
  }

  /** Strings, numbers and booleans as text: `args: [--port, 8080]` is fine. */
  text(n: YNode): string | undefined {
    if (n.kind === 'scalar' && n.value !== null) return String(n.value);
    this.problems.error(n.pos, n.path, `expected a string, got ${describe(n)}`);
    return undefined;
  }

  int(n: YNode, min: number, max: number, what = 'an integer'): number | undefined {
    let v: unknown = n.kind === 'scalar' ? n.value : undefined;
    // After `${PORT:-8080}` the value is a string; accept it when it is a plain integer.
    if (n.kind === 'scalar' && n.substituted && typeof v === 'string' && /^\d+$/.test(v.trim())) v = Number(v);
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.problems.error(n.pos, n.path, `expected ${what}, got ${describe(n)}`);
      return undefined;
    }
    if (v < min || v > max) {
      this.problems.error(n.pos, n.path, `${v} is out of range (${min}-${max})`);
      return undefined;
    }
    return v;
  }

  number(n: YNode): number | undefined {
    if (n.kind === 'scalar' && typeof n.value === 'number' && Number.isFinite(n.value)) return n.value;
    this.problems.error(n.pos, n.path, `expected a number, got ${describe(n)}`);
    return undefined;
  }

  port(n: YNode): number | undefined {
    return this.int(n, 1, 65535, 'a port number (1-65535)');
  }

  duration(n: YNode): number | undefined {
    const v = n.kind === 'scalar' && (typeof n.value === 'string' || typeof n.value === 'number') ? parseDuration(n.value) : undefined;
    if (v === undefined) {
      this.problems.error(n.pos, n.path, `invalid duration: ${describe(n)} (use e.g. 250ms, 2s, 1m30s, 1h or milliseconds as an integer)`);
    }
    return v;
  }

  oneOf<T extends string>(n: YNode, allowed: readonly T[], what: string): T | undefined {
    if (n.kind === 'scalar' && typeof n.value === 'string' && (allowed as readonly string[]).includes(n.value)) return n.value as T;
    const word = n.kind === 'scalar' && n.value !== null ? String(n.value) : '';
    this.problems.error(n.pos, n.path, () => `${quoted(n)} is not a valid ${what}; expected one of ${allowed.join(', ')}${didYouMean(word, allowed)}`);
    return undefined;
  }

  textList(n: YNode): string[] | undefined {
    const s = this.seq(n, 'a list of strings');
    if (!s) return undefined;
    const out: string[] = [];
    for (const it of s.items) {
      const v = this.text(it);
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  /** `env:` — a map of names to scalars. */
  env(n: YNode): Record<string, string> | undefined {
    const m = this.map(n, 'a map of environment variables');
    if (!m) return undefined;
    const out: Record<string, string> = {};
    for (const e of m.entries) {
      if (e.key === '' || e.key.includes('=') || e.key.includes('\0')) {
        this.problems.error(e.keyPos, e.value.path, `invalid environment variable name "${e.key}"`);
        continue;
      }
      const v = this.text(e.value);
      if (v !== undefined) out[e.key] = v;
    }
    return out;
  }
}

export function entry(m: YMap, key: string): YEntry | undefined {
  return m.entries.find((e) => e.key === key);
}

export function value(m: YMap, key: string): YNode | undefined {
  return entry(m, key)?.value;
}
