// How the CLI reports failure: one line `harness: <what>`, an exit code per kind of failure, and
// a stack trace only with HARNESS_DEBUG=1.
import type { ConfigProblem } from '../../shared/config-types.js';
import { HarnessError } from '../../shared/errors.js';
import { UsageError } from './args.js';
import { formatCliProblem } from './project-file.js';

/** Exit codes, documented in docs/cli.md. */
export const EXIT = {
  OK: 0,
  /** Invalid services.yaml, a service failed, an operation failed. */
  FAILURE: 1,
  /** Bad command line. */
  USAGE: 2,
  /** Another process already supervises the project. */
  CONFLICT: 3,
  /** `up -d` waited --timeout and some services were not ready yet. */
  TIMEOUT: 4,
} as const;

export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (err instanceof UsageError) {
    stderr.write(`harness: ${err.message}\n`);
    stderr.write(`Run 'harness ${err.command ? `${err.command} ` : ''}--help' for usage.\n`);
    return EXIT.USAGE;
  }
  if (process.env.HARNESS_DEBUG === '1' && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
  if (err instanceof HarnessError) {
    const problems = (err.details as { problems?: ConfigProblem[] } | undefined)?.problems;
    if (err.code === 'CONFIG_INVALID' && Array.isArray(problems)) {
      for (const p of problems) stderr.write(`${formatCliProblem(p)}\n`);
      stderr.write(`harness: ${err.message.split('\n')[0]}\n`);
    } else {
      stderr.write(`harness: ${err.message}\n`);
    }
    if (err.code === 'CONFLICT') return EXIT.CONFLICT;
    if (err.code === 'TIMEOUT') return EXIT.TIMEOUT;
    return EXIT.FAILURE;
  }
  const e = err as NodeJS.ErrnoException;
  const msg = e instanceof Error ? e.message : String(err);
  stderr.write(`harness: ${msg}${process.env.HARNESS_DEBUG === '1' ? '' : ' (set HARNESS_DEBUG=1 for details)'}\n`);
  return EXIT.FAILURE;
}
