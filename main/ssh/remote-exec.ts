// Running one command over an exec channel: collected (stdout, stderr, exit code or signal), or
// streamed for long-lived commands such as log follows. No pty, so the streams stay apart and
// binary-clean.
//
// Ending a command early: OpenSSH 9.2 refuses SSH "signal" requests ("session signalling requires
// privilege separation") and a closed channel does not end a command that is still running (no
// pty, no SIGHUP). So every command line starts by printing its shell's pid, which is its process
// group (sshd puts each session in its own session and group), and a cancel sends
// `kill -TERM -- -PGID` over the same connection, then SIGKILL after a grace period. Processes that
// left the group on purpose (setsid: RemoteLan services) are not touched.
import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { HarnessError } from '../../shared/errors.js';
import { unreachable, type SshLink } from './ssh-link.js';
import { targetKey } from './ssh-target.js';

export interface RemoteExit {
  /** null when the command was ended by a signal. */
  code: number | null;
  /** e.g. 'SIGTERM'. */
  signal: string | null;
}

export interface ExecResult extends RemoteExit {
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
  stderrBytes: Buffer;
}

export interface ExecOptions {
  signal?: AbortSignal;
  /** Whole operation: waiting for a connection and a channel, then the run. */
  timeoutMs?: number;
  /** Written to the command's stdin, then EOF. Without it stdin gets EOF at once. */
  stdin?: string | Buffer;
  /** Output kept per stream; beyond it the command is ended and the call fails. Default 64 MiB. */
  maxOutputBytes?: number;
  /** After SIGTERM on cancel, how long before SIGKILL. Default 2 s. */
  killGraceMs?: number;
}

const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
const PGID_MARK = '__harness_pgid=';

/** The line actually sent: the shell's pid (= process group) first, on stdout. */
export function withGroupReport(command: string): string {
  return `printf '${PGID_MARK}%s\\n' "$$"; ${command}`;
}

/** Splits the group report off the head of stdout; everything else passes unchanged. */
class GroupReport extends Transform {
  pgid: number | null = null;
  private head: Buffer | null = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.head === null) { cb(null, chunk); return; }
    const buf = Buffer.concat([this.head, chunk]);
    const nl = buf.indexOf(0x0a);
    if (nl < 0 && buf.length < 64) { this.head = buf; cb(); return; }
    this.head = null;
    const line = buf.subarray(0, nl < 0 ? 0 : nl).toString('latin1');
    if (nl >= 0 && line.startsWith(PGID_MARK) && /^\d+$/.test(line.slice(PGID_MARK.length))) {
      this.pgid = Number(line.slice(PGID_MARK.length));
      cb(null, buf.subarray(nl + 1));
    } else {
      // Not ours (the shell printed something first, or is not POSIX): pass it all through.
      cb(null, buf);
    }
  }

  override _flush(cb: TransformCallback): void {
    cb(null, this.head && this.head.length > 0 ? this.head : undefined);
  }
}

const signalName = (s: string | undefined | null) => (s ? (s.startsWith('SIG') ? s : `SIG${s}`) : null);

/** A signal that aborts on the caller's signal or after timeoutMs, and why it aborted. */
export function operationSignal(what: string, opts: { signal?: AbortSignal; timeoutMs?: number }) {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => ac.abort(new HarnessError('CANCELLED', `${what} was cancelled`));
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.timeoutMs !== undefined && !ac.signal.aborted) {
    timer = setTimeout(() => ac.abort(new HarnessError('TIMEOUT', `${what} did not finish within ${opts.timeoutMs! / 1000} s`)), opts.timeoutMs);
  }
  return {
    signal: ac.signal,
    done: () => { clearTimeout(timer); opts.signal?.removeEventListener('abort', onAbort); },
  };
}

export function abortReason(signal: AbortSignal, what: string): HarnessError {
  const r = signal.reason;
  return r instanceof HarnessError ? r : new HarnessError('CANCELLED', `${what} was cancelled`);
}

/** One command's channel: its exit, its process group, and how to end it. */
class Run {
  exit: RemoteExit | null = null;
  closed = false;
  readonly stdout = new GroupReport();
  private readonly closeWaiters: Array<() => void> = [];
  private stopping: Promise<void> | null = null;

  constructor(readonly link: SshLink, readonly channel: ClientChannel, release: () => void, private readonly graceMs: number) {
    // Forwarded by hand rather than piped, so stdout also ends when the channel closes without
    // EOF (connection lost); the pause/resume keeps pipe()'s back-pressure.
    channel.on('data', (d: Buffer) => { if (!this.stdout.write(d)) channel.pause(); });
    this.stdout.on('drain', () => channel.resume());
    const endOut = () => { if (!this.stdout.writableEnded) this.stdout.end(); };
    channel.once('end', endOut);
    channel.once('close', endOut);
    channel.on('exit', (code: number | null, sig?: string) => {
      this.exit = typeof code === 'number' ? { code, signal: null } : { code: null, signal: signalName(sig) };
    });
    // A quick command's exit status can arrive in the same read as the open confirmation, before
    // this listener exists; ssh2 repeats it as the arguments of 'close'.
    channel.once('close', (code?: number | null, sig?: string) => {
      if (!this.exit && typeof code === 'number') this.exit = { code, signal: null };
      else if (!this.exit && code === null && sig) this.exit = { code: null, signal: signalName(sig) };
      this.closed = true;
      release();
      for (const w of this.closeWaiters.splice(0)) w();
    });
  }

  private closedWithin(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.closeWaiters.push(() => { clearTimeout(timer); resolve(true); });
    });
  }

  signal(sig: string): Promise<void> {
    const pgid = this.stdout.pgid;
    if (pgid === null || this.closed) return Promise.resolve();
    return this.link.signalGroup(pgid, sig.replace(/^SIG/, ''));
  }

  /** SIGTERM to the group, SIGKILL after the grace period, then the channel is closed. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.stdout.pgid !== null && this.link.alive) {
        await this.signal('TERM');
        if (await this.closedWithin(this.graceMs)) return;
        await this.signal('KILL');
        if (await this.closedWithin(2000)) return;
      }
      try { this.channel.close(); } catch { /* already closed */ }
    })();
    return this.stopping;
  }
}

export interface RunHooks {
  /** Called once the channel has closed (the session slot is free on the host). */
  release(): void;
}

export async function runExec(link: SshLink, command: string, opts: ExecOptions & { signal: AbortSignal }, hooks: RunHooks): Promise<ExecResult> {
  const what = `\`${command.length > 120 ? `${command.slice(0, 117)}...` : command}\` on ${targetKey(link.target)}`;
  if (opts.signal.aborted) { hooks.release(); throw abortReason(opts.signal, what); }
  let channel: ClientChannel;
  try {
    channel = await link.openExec(withGroupReport(command));
  } catch (err) {
    hooks.release();
    throw err;
  }
  const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const run = new Run(link, channel, hooks.release, opts.killGraceMs ?? 2000);
  return new Promise<ExecResult>((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outSize = 0;
    let errSize = 0;
    let failure: HarnessError | null = null;
    let settled = false;
    const settle = (fn: () => void) => { if (!settled) { settled = true; opts.signal.removeEventListener('abort', onAbort); fn(); } };
    const fail = (e: HarnessError) => {
      failure ??= e;
      // The caller learns at once; the channel (and its slot) ends in the background.
      void run.stop().then(() => settle(() => reject(failure!)));
      setTimeout(() => settle(() => reject(failure!)), (opts.killGraceMs ?? 2000) + 3000).unref();
    };
    const onAbort = () => fail(abortReason(opts.signal, what));
    opts.signal.addEventListener('abort', onAbort, { once: true });
    run.stdout.on('data', (d: Buffer) => {
      outSize += d.length;
      if (outSize > max) fail(new HarnessError('INTERNAL', `${what} wrote more than ${max} bytes to stdout`));
      else out.push(d);
    });
    channel.stderr.on('data', (d: Buffer) => {
      errSize += d.length;
      if (errSize > max) fail(new HarnessError('INTERNAL', `${what} wrote more than ${max} bytes to stderr`));
      else err.push(d);
    });
    const finish = () => settle(() => {
      if (failure) { reject(failure); return; }
      if (!run.exit && !link.alive) { reject(unreachable(link.target, `connection lost while running ${what}: ${link.endReason}`)); return; }
      const stdoutBytes = Buffer.concat(out);
      const stderrBytes = Buffer.concat(err);
      resolve({
        ...(run.exit ?? { code: null, signal: null }),
        stdout: stdoutBytes.toString('utf8'),
        stderr: stderrBytes.toString('utf8'),
        stdoutBytes,
        stderrBytes,
      });
    });
    // Both the channel's close and the end of stdout (the report filter flushes last).
    let pending = 2;
    const part = () => { if (--pending === 0) finish(); };
    channel.once('close', part);
    run.stdout.once('end', part);
    if (opts.stdin !== undefined) channel.end(opts.stdin);
    else channel.end();
  });
}

export interface RemoteProcess {
  stdout: Readable;
  stderr: Readable;
  stdin: Writable;
  /** How it ended; rejects (UNAVAILABLE) when the connection drops first, or when cancelled. */
  exited: Promise<RemoteExit>;
  /** Sends a signal (e.g. 'TERM') to the command's process group on the host. */
  kill(signal?: string): Promise<void>;
  /** Ends it: SIGTERM to its process group, SIGKILL after the grace period, channel closed. */
  close(): Promise<void>;
}

/** Starts a command whose output is consumed as it comes. */
export async function runStream(
  link: SshLink,
  command: string,
  opts: { signal?: AbortSignal; killGraceMs?: number },
  hooks: RunHooks,
): Promise<RemoteProcess> {
  const what = `\`${command}\` on ${targetKey(link.target)}`;
  let channel: ClientChannel;
  try {
    channel = await link.openExec(withGroupReport(command));
  } catch (e) {
    hooks.release();
    throw e;
  }
  const run = new Run(link, channel, hooks.release, opts.killGraceMs ?? 2000);
  let failure: HarnessError | null = null;
  const onAbort = () => { failure ??= abortReason(opts.signal!, what); void run.stop(); };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<RemoteExit>((resolve, reject) => {
    channel.once('close', () => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else if (!run.exit && !link.alive) reject(unreachable(link.target, `connection lost while running ${what}: ${link.endReason}`));
      else resolve(run.exit ?? { code: null, signal: null });
    });
  });
  // A caller that only reads the streams must not get an unhandled rejection.
  exited.catch(() => undefined);
  return {
    stdout: run.stdout,
    stderr: channel.stderr,
    stdin: channel,
    exited,
    kill: (sig = 'TERM') => run.signal(sig),
    close: () => run.stop(),
  };
}
