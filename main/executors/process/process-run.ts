// One run of a local process service: its group, its output, how it ends.
//
// The leader's exit is observed through the ChildProcess 'exit' event, never through execa's
// promise (which rejects or waits for the pipes). `exited` resolves once, after (1) the leader
// exited, (2) whatever else was in its process group is gone — stopped by stop() or, when the
// leader ended by itself, killed here so no child outlives its service — and (3) the output
// pipes are drained (bounded).
import type { Readable } from 'node:stream';
import type { ExitInfo } from '../../core/executor.js';
import type { LogStream } from '../../../shared/events.js';
import { groupAlive, signalName, terminateGroup } from '../../os/process-group.js';

export interface RunHooks {
  log(stream: LogStream, chunk: string | Buffer): void;
  /** Runs before `exited` resolves, e.g. to drop the state-file entry. Must not throw. */
  finished(): Promise<void>;
}

export interface RunTimings {
  /** Grace for group members left behind when the leader exits by itself. */
  orphanGraceMs: number;
  /** How long to wait for the pipes to close once the group is gone. */
  streamCloseMs: number;
  /** How long to wait after SIGKILL before giving up on a group (D-state processes…). */
  killWaitMs: number;
}

interface Child {
  pid?: number;
  stdout: Readable | null;
  stderr: Readable | null;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

function streamClosed(stream: Readable | null): Promise<void> {
  if (!stream || stream.destroyed || stream.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', resolve);
    stream.once('end', resolve);
    stream.once('error', () => resolve());
  });
}

export class ProcessRun {
  readonly pgid: number;
  readonly exited: Promise<ExitInfo>;
  private resolveExited!: (info: ExitInfo) => void;
  private leaderExit: ExitInfo | null = null;
  private stopTask: Promise<unknown> | null = null;
  /** performance.now() at the leader's exit: a /proc scan from after it may be shared. */
  private exitMark = Infinity;
  /** Why the run was ended by the executor itself (e.g. its state record could not be written). */
  private failure: string | undefined;

  constructor(
    readonly pid: number,
    private readonly child: Child,
    private readonly stopSignal: NodeJS.Signals,
    private readonly hooks: RunHooks,
    private readonly timings: RunTimings,
  ) {
    // detached: true made the child a session and group leader, so pgid = pid.
    this.pgid = pid;
    this.exited = new Promise((resolve) => {
      this.resolveExited = resolve;
    });
    child.stdout?.on('data', (chunk: Buffer) => hooks.log('stdout', chunk));
    child.stderr?.on('data', (chunk: Buffer) => hooks.log('stderr', chunk));
    child.once('exit', (code, signal) => {
      this.exitMark = performance.now();
      void this.onLeaderExit({ code, signal: signalName(signal) });
    });
  }

  get running(): boolean {
    return this.leaderExit === null;
  }

  /**
   * Stops the whole group: signal → grace → SIGKILL. Harmless when repeated or after the exit.
   * Resolves with the leader's exit; if even SIGKILL cannot end the group in time, resolves with
   * an ExitInfo carrying `error` instead of hanging.
   */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<ExitInfo> {
    if (this.stopTask === null && this.leaderExit === null) {
      this.stopTask = terminateGroup(this.pgid, signal, graceMs, this.timings.killWaitMs);
    }
    const t = this.timings;
    // Upper bound of every phase (grace, kill wait, orphan handling, pipe drain) plus slack.
    const bound = graceMs + t.orphanGraceMs + 2 * t.killWaitMs + t.streamCloseMs + 1000;
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<ExitInfo>((resolve) => {
      timer = setTimeout(
        () => resolve({ code: null, signal: null, error: `process group ${this.pgid} did not exit after SIGKILL` }),
        bound,
      );
    });
    return Promise.race([this.exited, stuck]).finally(() => clearTimeout(timer));
  }

  /** Ends the run with SIGKILL because it must not go on; `exited` then carries `reason`. */
  fail(reason: string): void {
    if (this.leaderExit !== null) return;
    this.failure = reason;
    void this.stop('SIGKILL', 0);
  }

  private async onLeaderExit(info: ExitInfo): Promise<void> {
    this.leaderExit = info;
    try {
      if (this.stopTask) {
        await this.stopTask;
      } else if (groupAlive(this.pgid, this.exitMark)) {
        this.hooks.log('system', `pid ${this.pid} exited; stopping the processes it left in group ${this.pgid}\n`);
        const { gone } = await terminateGroup(this.pgid, this.stopSignal, this.timings.orphanGraceMs, this.timings.killWaitMs);
        if (!gone) this.hooks.log('system', `process group ${this.pgid} still has members after SIGKILL\n`);
      }
      await this.drainPipes();
      await this.hooks.finished();
    } catch (err) {
      this.hooks.log('system', `cleanup after pid ${this.pid} failed: ${(err as Error).message}\n`);
    } finally {
      // The contract: `exited` resolves exactly once and never rejects, whatever happened above.
      this.resolveExited(this.failure === undefined ? info : { ...info, error: this.failure });
    }
  }

  /** Every writer is dead unless a child escaped the group (setsid) with our pipe: then detach. */
  private async drainPipes(): Promise<void> {
    const closed = Promise.all([streamClosed(this.child.stdout), streamClosed(this.child.stderr)]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), this.timings.streamCloseMs);
    });
    const outcome = await Promise.race([closed, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.hooks.log('system', 'output pipe still held open by a process outside the service\'s group; no longer reading it\n');
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
    }
  }
}
