// Who a connection is to, and how it is named in events, stats and messages.
import { isIPv6 } from 'node:net';
import { HarnessError } from '../../shared/errors.js';

export interface SshTarget {
  /** A name or an address. */
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
}

export interface ResolvedTarget {
  host: string;
  port: number;
  user: string;
}

/** The pool key and the name events carry: `user@host:port` (`user@[v6]:port`). */
export function targetKey(t: SshTarget): string {
  const port = t.port ?? 22;
  const host = isIPv6(t.host) ? `[${t.host}]` : t.host;
  return `${t.user}@${host}:${port}`;
}

/** Refuses what would be read as an option or break a command line: the loader checks the same
 * (with the field's location); this is the last line of defence for other callers. */
export function resolveTarget(t: SshTarget): ResolvedTarget {
  const port = t.port ?? 22;
  const control = (v: string) => [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  const bad = (what: string, value: string) =>
    /^-/.test(value) || /\s/.test(value) || control(value) || value === ''
      ? `${what} ${JSON.stringify(value)} is empty, begins with '-' or holds whitespace or control characters`
      : null;
  const problem = bad('host', t.host) ?? bad('user', t.user)
    ?? (!Number.isInteger(port) || port < 1 || port > 65535 ? `port ${port} is not 1..65535` : null);
  if (problem) throw new HarnessError('BAD_REQUEST', `SSH target refused: ${problem}`);
  return { host: t.host, port, user: t.user };
}
