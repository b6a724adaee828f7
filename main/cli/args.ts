// Hand-written argument parsing (no dependency): each command declares its flags, and anything
// undeclared is a usage error naming the flag, with the command's help one `--help` away.

export interface FlagSpec {
  /** Long name without dashes: 'file' → --file. */
  name: string;
  /** One-letter alias without dash: 'f' → -f. */
  short?: string;
  /** Takes a value (`-f x`, `--file x`, `--file=x`); else a boolean switch. */
  value?: boolean;
  description: string;
  /** Shown in help, e.g. 'FILE'. */
  placeholder?: string;
  /** A value flag that may be given more than once; the values are joined with ','. */
  repeatable?: boolean;
}

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  flags: FlagSpec[];
  /** Extra help text (exit codes, examples). */
  details?: string;
}

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
}

export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The flags every command accepts. */
export const FILE_FLAG: FlagSpec = {
  name: 'file',
  short: 'f',
  value: true,
  placeholder: 'FILE',
  description: 'the services.yaml to use (default: ./services.yaml)',
};
export const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', description: 'show this help' };

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  const all = [...spec.flags, HELP_FLAG];
  const byLong = new Map(all.map((f) => [f.name, f]));
  const byShort = new Map(all.filter((f) => f.short).map((f) => [f.short as string, f]));
  const setValue = (f: FlagSpec, v: string): void => {
    const prev = flags.get(f.name);
    flags.set(f.name, f.repeatable && typeof prev === 'string' ? `${prev},${v}` : v);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let flag: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      flag = byLong.get(name);
      if (!flag) throw new UsageError(`unknown option --${name} for \`harness ${spec.name}\`${suggest(name, [...byLong.keys()])}`, spec.name);
    } else if (arg.startsWith('-') && arg.length > 1) {
      // -f FILE, -fFILE, or clustered switches like -dv.
      const letters = arg.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const f = byShort.get(letters[j]);
        if (!f) throw new UsageError(`unknown option -${letters[j]} for \`harness ${spec.name}\``, spec.name);
        if (f.value) {
          const rest = letters.slice(j + 1);
          setValue(f, rest.length > 0 ? rest : takeValue(spec, f, argv, ++i));
          break;
        }
        flags.set(f.name, true);
      }
      continue;
    } else {
      positionals.push(arg);
      continue;
    }
    if (flag.value) setValue(flag, inline ?? takeValue(spec, flag, argv, ++i));
    else if (inline !== undefined) throw new UsageError(`option --${flag.name} takes no value`, spec.name);
    else flags.set(flag.name, true);
  }
  return { flags, positionals };
}

function takeValue(spec: CommandSpec, flag: FlagSpec, argv: readonly string[], i: number): string {
  const v = argv[i];
  if (v === undefined) throw new UsageError(`option --${flag.name} needs a value (${flag.placeholder ?? 'VALUE'})`, spec.name);
  return v;
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagBool(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}

/** A non-negative integer flag, or the default. */
export function flagInt(args: ParsedArgs, name: string, def: number, spec: CommandSpec): number {
  const v = flagString(args, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new UsageError(`option --${name} expects a whole number, got "${v}"`, spec.name);
  return Number(v);
}

/** Seconds, accepting `90`, `90s`, `2m`, `500ms`. Returns milliseconds. */
export function flagSeconds(args: ParsedArgs, name: string, defMs: number, spec: CommandSpec): number {
  const v = flagString(args, name);
  if (v === undefined) return defMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v);
  if (!m) throw new UsageError(`option --${name} expects a duration like 30, 30s, 2m or 500ms, got "${v}"`, spec.name);
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

export function formatHelp(spec: CommandSpec): string {
  const rows = [...spec.flags, HELP_FLAG].map((f) => {
    const names = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.value ? ` ${f.placeholder ?? 'VALUE'}` : ''}`;
    return [names, f.description] as const;
  });
  const width = Math.max(...rows.map(([n]) => n.length));
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, '', 'Options:'];
  for (const [n, d] of rows) lines.push(`  ${n.padEnd(width)}  ${d}`);
  if (spec.details) lines.push('', spec.details.trimEnd());
  return `${lines.join('\n')}\n`;
}

function suggest(name: string, options: string[]): string {
  let best: string | null = null;
  let bestD = 3;
  for (const o of options) {
    const d = distance(name, o);
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best ? ` (did you mean --${best}?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** Prints the command's help to stdout; returns exit status 0. */
export function printHelp(spec: CommandSpec): number {
  process.stdout.write(formatHelp(spec));
  return 0;
}
