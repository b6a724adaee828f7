// One-shot health probes shared by every executor. Each returns a HealthResult and never throws:
// a probe that cannot even be attempted (bad URL, missing binary) is simply a failed probe whose
// message says why. Every probe is bounded by its timeout and by the caller's AbortSignal.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { execa } from 'execa';
import type { HealthResult } from '../../shared/service-state.js';
import { signalGroup, signalName } from '../os/process-group.js';

/** Bytes of a response body read at most; the rest is discarded by closing the socket. */
const MAX_HTTP_BODY = 64 * 1024;
/** Output kept from a command probe, to report its last line. */
const MAX_COMMAND_OUTPUT = 4 * 1024;

function result(ok: boolean, message: string): HealthResult {
  return { ok, message, at: Date.now() };
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}${e.message && !e.message.includes(e.code) ? `: ${e.message}` : ''}` : String(e?.message ?? err);
}

/**
 * Runs `attempt` with a settle-once callback, a timeout and abort handling. `cleanup` runs once,
 * whichever way the probe ends, to release sockets or processes.
 */
function bounded(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  timeoutMessage: string,
  attempt: (done: (r: HealthResult) => void) => () => void,
): Promise<HealthResult> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(result(false, 'probe cancelled'));
    let settled = false;
    let cleanup: () => void = () => {};
    const done = (r: HealthResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      try {
        cleanup();
      } catch {
        // cleanup is best effort; the result is what matters
      }
      resolve(r);
    };
    const onAbort = (): void => done(result(false, 'probe cancelled'));
    const timer = setTimeout(() => done(result(false, timeoutMessage)), Math.max(1, timeoutMs));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      cleanup = attempt(done);
    } catch (err) {
      done(result(false, errText(err)));
    }
    if (settled) cleanup();
  });
}

/** Ready when a TCP connection to host:port is accepted. */
export function probeTcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<HealthResult> {
  const where = `${host}:${port}`;
  return bounded(timeoutMs, signal, `tcp ${where}: no connection within ${timeoutMs} ms`, (done) => {
    const socket = connect({ host, port });
    socket.once('connect', () => done(result(true, `tcp ${where}: connected`)));
    socket.once('error', (err) => done(result(false, `tcp ${where}: ${errText(err)}`)));
    return () => socket.destroy();
  });
}

function statusMatches(status: number, expect: number): boolean {
  return expect === 0 ? status >= 200 && status < 400 : status === expect;
}

/**
 * Ready when GET url answers with expectStatus (0 = any 2xx/3xx). No keep-alive (a fresh
 * connection per probe, closed after), redirects are not followed, at most 64 KiB of body read.
 */
export function probeHttp(url: string, expectStatus: number, timeoutMs: number, signal?: AbortSignal): Promise<HealthResult> {
  const want = expectStatus === 0 ? '2xx/3xx' : String(expectStatus);
  return bounded(timeoutMs, signal, `http ${url}: no response within ${timeoutMs} ms`, (done) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      done(result(false, `http ${url}: invalid URL`));
      return () => {};
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      done(result(false, `http ${url}: unsupported protocol ${parsed.protocol}`));
      return () => {};
    }
    const request = parsed.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(parsed, { method: 'GET', agent: false, headers: { connection: 'close' } });
    let res: IncomingMessage | undefined;
    req.once('response', (response) => {
      res = response;
      const status = response.statusCode ?? 0;
      const ok = statusMatches(status, expectStatus);
      const message = `http ${url}: status ${status}${ok ? '' : ` (expected ${want})`}`;
      // Drain (bounded) so the server sees a normal exchange, then report.
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read >= MAX_HTTP_BODY) done(result(ok, message));
      });
      response.once('end', () => done(result(ok, message)));
      response.once('error', () => done(result(ok, message)));
    });
    req.once('error', (err) => done(result(false, `http ${url}: ${errText(err)}`)));
    req.end();
    return () => {
      res?.destroy();
      req.destroy();
    };
  });
}

export interface CommandProbeOptions {
  cwd?: string;
  /** The complete environment of the command (not merged with anything). */
  env?: Record<string, string | undefined>;
  timeoutMs: number;
  signal?: AbortSignal;
}

function lastLine(output: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.length ? lines[lines.length - 1] : '';
}

/**
 * Ready when argv exits 0. Runs in its own process group; on timeout or abort the whole group is
 * SIGKILLed, and whatever it left running after a normal exit is killed too (a probe leaves
 * nothing behind).
 */
export function probeCommand(argv: string[], opts: CommandProbeOptions): Promise<HealthResult> {
  const label = `command ${argv.join(' ')}`;
  return bounded(opts.timeoutMs, opts.signal, `${label}: timed out after ${opts.timeoutMs} ms`, (done) => {
    if (argv.length === 0) {
      done(result(false, 'command probe: empty command'));
      return () => {};
    }
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-MAX_COMMAND_OUTPUT);
    };
    const child = execa(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env,
      extendEnv: opts.env === undefined,
      detached: true, // own process group, so a timeout kills the command's children too
      cleanup: false,
      forceKillAfterDelay: false,
      reject: false,
      buffer: false,
      stdin: 'ignore',
    });
    // Execa's own promise is only awaited to keep it from reporting unhandled failures.
    void child.catch(() => undefined);
    const pid = child.pid;
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT'
        ? `not found (ENOENT: ${argv[0]}${opts.cwd ? ` or working directory ${opts.cwd}` : ''})`
        : errText(err);
      done(result(false, `${label}: ${why}`));
    });
    child.once('exit', (code, sig) => {
      // Let the pipes deliver what the command wrote just before exiting.
      setImmediate(() => {
        const tail = lastLine(output);
        const how = code !== null ? `exit code ${code}` : `killed by ${signalName(sig)}`;
        done(result(code === 0, `${label}: ${how}${tail ? `: ${tail}` : ''}`));
      });
    });
    return () => {
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
  });
}
