// Compose scalars in Harness's terms: variable references, shell words, Go durations.
import { formatDuration, parseDuration } from '../../shared/duration.js';
import type { Env } from '../config/interpolate.js';
import type { CNode } from './compose-tree.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export interface RefResult {
  text: string;
  /** `${VAR:+alt}` / `${VAR+alt}` expressions resolved now (Harness has no such form). */
  resolved: string[];
}

/**
 * Compose's interpolation rewritten for Harness's: `$VAR` becomes `${VAR}` (Harness leaves a bare
 * `$VAR` alone), `${…}` with `:-`, `-`, `:?`, `?` and `$$` stay as written (Harness resolves them
 * the same way when it loads the file), and `:+` / `+` are resolved with `env` at import time.
 */
export function harnessRefs(text: string, env: Env): RefResult {
  const resolved: string[] = [];
  const out = convert(text, env, resolved, 0);
  return { text: out, resolved };
}

function convert(text: string, env: Env, resolved: string[], depth: number): string {
  if (!text.includes('$') || depth > 8) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(text, i + 1);
      if (close < 0) {
        out += text.slice(i);
        break;
      }
      out += braced(text.slice(i + 2, close), env, resolved, depth);
      i = close + 1;
      continue;
    }
    const m = NAME.exec(text.slice(i + 1));
    if (m) {
      out += `\${${m[0]}}`;
      i += 1 + m[0].length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function braced(expr: string, env: Env, resolved: string[], depth: number): string {
  const m = NAME.exec(expr);
  if (!m) return `\${${expr}}`;
  const name = m[0];
  const rest = expr.slice(name.length);
  const op = /^(:\+|\+|:-|-|:\?|\?)/.exec(rest)?.[0];
  if (op === ':+' || op === '+') {
    resolved.push(`\${${expr}}`);
    const v = env[name];
    const use = op === ':+' ? v !== undefined && v !== '' : v !== undefined;
    return use ? convert(rest.slice(op.length), env, resolved, depth + 1) : '';
  }
  if (op) return `\${${name}${op}${convert(rest.slice(op.length), env, resolved, depth + 1)}}`;
  return `\${${expr}}`;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** A value written literally (single-quoted env_file values): `$` doubled so Harness keeps it. */
export function literal(text: string): string {
  return text.replaceAll('$', () => '$$');
}

/** The scalar as text (numbers and booleans as written), or undefined for maps, lists and null. */
export function scalarText(n: CNode | undefined): string | undefined {
  if (!n || n.kind !== 'scalar' || n.value === null) return undefined;
  return n.source ?? String(n.value);
}

/**
 * Splits a command string into words as Compose does (go-shellwords): blanks separate words,
 * single quotes are literal, double quotes and backslashes escape; no expansion. Null when a quote
 * is not closed.
 */
export function shellWords(s: string): string[] | null {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return null;
      cur += s.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1])) j++;
        cur += s[j];
      }
      if (j >= s.length) return null;
      i = j;
    } else cur += c;
  }
  if (inWord) words.push(cur);
  return words;
}

const GO_UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** A Go duration (`1m30s`, `1.5s`, `500ms`, `10us`) in milliseconds, or undefined. */
export function goDurationMs(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  if (t === '') return undefined;
  let total = 0;
  GO_PART.lastIndex = 0;
  while (GO_PART.lastIndex < t.length) {
    const start = GO_PART.lastIndex;
    const m = GO_PART.exec(t);
    if (!m || m.index !== start) return undefined;
    total += Number(m[1]) * GO_UNIT_MS[m[2]];
  }
  return total;
}

/** A Compose duration as Harness writes it: kept as written when Harness reads it as the same
 * length of time, else re-spelt (`90s` stays, `1m30.5s` becomes `1m30s500ms`). Undefined when it
 * is not a duration. A `${VAR}` reference is kept (resolved when Harness loads the file). */
export function harnessDuration(text: string): string | undefined {
  if (text.includes('${')) return text;
  const ms = goDurationMs(text);
  if (ms === undefined) return undefined;
  const rounded = Math.round(ms);
  return parseDuration(text.trim()) === rounded && !/^\d+$/.test(text.trim()) ? text.trim() : formatDuration(rounded);
}
