// `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}` and `$$` in
// scalar strings, as Compose does. Defaults may themselves contain interpolations. A `$` that
// starts none of these is kept as written, so `$HOME` in an argument reaches the shell intact.

export type Env = Record<string, string | undefined>;

export interface InterpolationIssue {
  severity: 'error' | 'warning';
  message: string;
}

export interface InterpolationResult {
  value: string;
  /** True when the text contained at least one `${…}` (so a number may arrive as a string). */
  substituted: boolean;
  issues: InterpolationIssue[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolate(text: string, env: Env): InterpolationResult {
  const issues: InterpolationIssue[] = [];
  const state = { substituted: false };
  const value = expand(text, env, issues, state, 0);
  // One string may name the same unset variable thousands of times: say so once.
  const seen = new Set<string>();
  const unique = issues.filter((x) => !seen.has(x.message) && seen.add(x.message));
  return { value, substituted: state.substituted, issues: unique };
}

function expand(text: string, env: Env, issues: InterpolationIssue[], state: { substituted: boolean }, depth: number): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      // Copy the run up to the next `$` at once (a megabyte-long string is one slice, not a
      // million appends).
      const next = text.indexOf('$', i);
      const end = next < 0 ? text.length : next;
      out += text.slice(i, end);
      i = end;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next !== '{') {
      out += c;
      i++;
      continue;
    }
    const close = matchingBrace(text, i + 1);
    if (close < 0) {
      issues.push({ severity: 'error', message: `unterminated "\${" in "${text}"` });
      return out + text.slice(i);
    }
    state.substituted = true;
    out += substitute(text.slice(i + 2, close), env, issues, state, depth);
    i = close + 1;
  }
  return out;
}

function substitute(expr: string, env: Env, issues: InterpolationIssue[], state: { substituted: boolean }, depth: number): string {
  const m = NAME.exec(expr);
  if (!m) {
    issues.push({ severity: 'error', message: `invalid interpolation "\${${expr}}": expected a variable name` });
    return '';
  }
  const name = m[0];
  const rest = expr.slice(name.length);
  const value = env[name];
  if (rest === '') {
    if (value === undefined) {
      issues.push({ severity: 'warning', message: `variable ${name} is not set; using an empty string` });
      return '';
    }
    return value;
  }
  const op = /^(:-|-|:\?|\?)/.exec(rest)?.[0];
  if (!op) {
    issues.push({ severity: 'error', message: `invalid interpolation "\${${expr}}": expected :-, -, :? or ? after ${name}` });
    return '';
  }
  const arg = rest.slice(op.length);
  const missing = value === undefined || (op.startsWith(':') && value === '');
  if (!missing) return value;
  if (op.endsWith('?')) {
    const msg = depth > 8 ? arg : expand(arg, env, issues, state, depth + 1);
    issues.push({ severity: 'error', message: `required variable ${name} is not set${msg ? `: ${msg}` : ''}` });
    return '';
  }
  // Nesting is bounded; a pathological default simply stays unexpanded past depth 8.
  return depth > 8 ? arg : expand(arg, env, issues, state, depth + 1);
}

/** Index of the `}` closing the `{` at `open`, counting nested `${`. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}
