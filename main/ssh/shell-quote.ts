// Every remote command is built here from argv: sshd hands the command line to the user's login
// shell (`$SHELL -c LINE`), so each argument must reach it as one literal word. POSIX single
// quotes are the only quoting with no special characters inside, which makes them safe for any
// byte except NUL (which no argv can carry). Login shells assumed: sh, dash, bash, zsh, ksh (fish
// and csh parse quotes differently; docs/remote.md says so).
import { HarnessError } from '../../shared/errors.js';

// Words made only of these need no quotes in any POSIX shell, in any position: no '=' (a first
// word `A=b` would be an assignment), no '~' or '#' (expansion, comment), no '{' (bash braces).
const PLAIN = /^[A-Za-z0-9_./,:@%+-]+$/;
// ...and they must hold one character no reserved word (if, do, done, time, noglob, `-` in zsh)
// has, or the word could be read as syntax in command position: `ls` is quoted, `/bin/ls` not.
const NOT_A_KEYWORD = /[0-9_./,:@%+]/;

/** One argument as a shell word that the shell turns back into exactly `arg`. */
export function quoteArg(arg: string, index = 0): string {
  if (typeof arg !== 'string') {
    throw new HarnessError('BAD_REQUEST', `argument ${index} of a remote command is not a string (${typeof arg})`);
  }
  if (arg.includes('\0')) {
    throw new HarnessError(
      'BAD_REQUEST',
      `argument ${index} of a remote command contains a NUL byte, which no program argument can hold: remove it`,
      { index },
    );
  }
  if (PLAIN.test(arg) && NOT_A_KEYWORD.test(arg)) return arg;
  // Close the quote, add an escaped quote, reopen: 'it'\''s'.
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** argv as one POSIX shell line of literal words: `shellQuote(['echo', "it's"])` is `echo 'it'\''s'`. */
export function shellQuote(args: readonly string[]): string {
  return args.map((a, i) => quoteArg(a, i)).join(' ');
}

export interface CommandLineOptions {
  /** Directory to run in; the line fails (nothing runs) when it cannot be entered. */
  cwd?: string;
  /** Replace the login shell with the program (`exec`), so signals and the exit status are its own. */
  exec?: boolean;
}

/**
 * A complete remote command line from argv: optionally `cd -- DIR &&` first, and `exec` so the
 * program replaces the login shell. Environment values are deliberately not supported: they would
 * travel on the command line (visible in `ps`); write them to a 0600 file and source it instead.
 */
export function commandLine(argv: readonly string[], opts: CommandLineOptions = {}): string {
  if (argv.length === 0) throw new HarnessError('BAD_REQUEST', 'a remote command needs at least a program name');
  const words = shellQuote(argv);
  const run = opts.exec ? `exec ${words}` : words;
  return opts.cwd === undefined ? run : `cd -- ${quoteArg(opts.cwd)} && ${run}`;
}
