// The run directory of a service on its host and what is read from and written to it:
//
//   ~/.local/state/harness/<project id>/        0700, the project's root (project id: the local
//     .harness/wrapper-<hash>.sh, watch-<hash>.sh  state directory's name, see state/markers.ts)
//     <service>/                                 0700, one per service
//       env        0600  `export NAME='value'` lines, written over SFTP, sourced by the wrapper
//       meta             `<run id> <config hash>`
//       wrapper          `<pid> <start time> <boot id>` of the launch wrapper (the group leader)
//       pid              `<pid> <start time>` of the program
//       stdout.log, stderr.log
//       exit             the exit status as the shell reports it (128 + n: killed by signal n)
//       kill             present once a stop escalated to SIGKILL
import { createHash } from 'node:crypto';
import { constants } from 'node:os';
import { posix } from 'node:path';
import type { RemoteLanTarget, ServiceConfig } from '../../../shared/config-types.js';
import { HarnessError } from '../../../shared/errors.js';
import type { ExitInfo } from '../../core/executor.js';
import { quoteArg } from '../../ssh/index.js';

/** Under the login user's home directory. */
export const REMOTE_STATE_ROOT = '.local/state/harness';
export const SCRIPTS_DIR = '.harness';

export function projectRoot(home: string, projectId: string): string {
  return posix.join(home, REMOTE_STATE_ROOT, projectId);
}

export function runDirOf(root: string, service: string): string {
  return posix.join(root, service);
}

export type RunState = { kind: 'run' } | { kind: 'exit'; code: number } | { kind: 'gone' } | { kind: 'new' };

export interface RunSnapshot {
  service: string;
  state: RunState;
  runId: string | null;
  configHash: string | null;
  /** Log sizes in bytes; absent while the file does not exist. */
  stdout?: number;
  stderr?: number;
}

/** One block of watch.sh output (the lines between BEGIN and END). */
export function parseWatchBlock(lines: readonly string[]): Map<string, RunSnapshot> {
  const out = new Map<string, RunSnapshot>();
  let i = 0;
  for (; i < lines.length && lines[i] !== '--'; i++) {
    const words = lines[i].split(' ');
    const service = words[0];
    if (!service) continue;
    let state: RunState;
    let rest: string[];
    if (words[1] === 'exit') {
      const code = Number(words[2]);
      state = Number.isInteger(code) ? { kind: 'exit', code } : { kind: 'gone' };
      rest = words.slice(3);
    } else {
      state = words[1] === 'run' ? { kind: 'run' } : words[1] === 'gone' ? { kind: 'gone' } : { kind: 'new' };
      rest = words.slice(2);
    }
    out.set(service, { service, state, runId: rest[0] || null, configHash: rest[1] || null });
  }
  for (i++; i < lines.length; i++) {
    const m = /^(\d+) (.+)\/(stdout|stderr)\.log$/.exec(lines[i]);
    const snap = m ? out.get(m[2]) : undefined;
    if (m && snap) snap[m[3] as 'stdout' | 'stderr'] = Number(m[1]);
  }
  return out;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The env file: one `export NAME='value'` per variable, each value one single-quoted word, so
 * sourcing it sets exactly these bytes and runs nothing. Names a POSIX shell cannot assign are
 * refused here, with the service and the file named.
 */
export function envFileText(env: Record<string, string>, where: { service: string; file: string }): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) {
      throw new HarnessError(
        'BAD_REQUEST',
        `${where.service}: environment variable name ${JSON.stringify(name)} cannot be set on a remote host (a POSIX shell sources the env file there); ` +
          `use letters, digits and _ only, not starting with a digit (in ${where.file})`,
        { service: where.service, variable: name },
      );
    }
    if (value.includes('\0')) {
      throw new HarnessError('BAD_REQUEST', `${where.service}: the value of ${name} contains a NUL byte, which no environment can hold (in ${where.file})`);
    }
    lines.push(`export ${name}=${quoteArg(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

const SIGNAL_BY_NUMBER = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/** A status as `sh` reports it: 128 + n when the program was killed by signal n. */
export function exitInfoOf(code: number): ExitInfo {
  if (code > 128 && code < 128 + 65) {
    const sig = SIGNAL_BY_NUMBER.get(code - 128);
    if (sig) return { code: null, signal: sig };
  }
  return { code, signal: null };
}

/** What makes a running instance the same as the config asks (Compose hashes its service config
 * the same way): the target and how it is stopped. */
export function configHashOf(service: ServiceConfig): string {
  const t = service.target as RemoteLanTarget;
  const basis = {
    host: t.host, port: t.ssh_port, user: t.user, binary: t.binary, args: t.args, env: t.env,
    working_dir: t.working_dir ?? null, ports: t.ports, stop_signal: service.stop_signal,
  };
  return createHash('sha256').update(JSON.stringify(basis)).digest('hex').slice(0, 16);
}
