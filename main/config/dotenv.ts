// The `.env` file next to services.yaml: KEY=VALUE lines, `#` comments, optional `export `,
// single quotes (literal) or double quotes (\n, \t, \", \\ escapes). Values are not interpolated.

export interface DotenvProblem {
  line: number;
  message: string;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export function parseDotenv(text: string): { vars: Record<string, string>; problems: DotenvProblem[] } {
  const vars: Record<string, string> = {};
  const problems: DotenvProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const body = line.startsWith('export ') ? line.slice(7).trimStart() : line;
    const eq = body.indexOf('=');
    const key = eq < 0 ? body : body.slice(0, eq).trim();
    if (eq < 0 || !KEY.test(key)) {
      problems.push({ line: i + 1, message: `expected KEY=VALUE, got "${truncate(line)}"` });
      return;
    }
    const value = parseValue(body.slice(eq + 1).trim());
    if (value === undefined) {
      problems.push({ line: i + 1, message: `unterminated quote in the value of ${key}` });
      return;
    }
    vars[key] = value;
  });
  return { vars, problems };
}

function parseValue(v: string): string | undefined {
  const q = v[0];
  if (q === "'" || q === '"') {
    const end = v.indexOf(q, 1);
    if (q === "'") return end < 0 ? undefined : v.slice(1, end);
    // Find the closing double quote that is not escaped.
    let out = '';
    for (let i = 1; i < v.length; i++) {
      const c = v[i];
      if (c === '"') return out;
      if (c === '\\' && i + 1 < v.length) {
        const n = v[++i];
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
      } else out += c;
    }
    return undefined;
  }
  // Unquoted: an inline comment starts at ` #`.
  const hash = v.search(/\s#/);
  return (hash < 0 ? v : v.slice(0, hash)).trim();
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
