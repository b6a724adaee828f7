// How a supervising command ends (`harness up`, `harness serve`, the background `__supervise`):
// the first stop request (a signal, or `harness down` through the socket) stops every service
// gracefully; a second signal while that runs kills every service's process group at once (the
// graceful stop keeps waiting and sees them exit). The exit code is 0 once stopped, 1 when the
// stop itself failed (docs/cli.md).
import { EXIT } from './errors.js';

export interface ShutdownOptions {
  /** The graceful stop; runs once, whichever request comes first. */
  stop(): Promise<void>;
  /** A second (third…) signal during the graceful stop. */
  force(): void;
  /** The first request, before `stop` runs: `why` is the signal's name or the caller's reason. */
  onStopping?(why: string, signal: NodeJS.Signals | null): void;
  onForcing?(signal: NodeJS.Signals): void;
  onStopped?(): void;
  /** The graceful stop failed; returns the exit code. Default: EXIT.FAILURE. */
  onError?(err: unknown): number;
}

export interface Shutdown {
  /** Starts the graceful stop (idempotent); resolves with the exit code when it has finished. */
  request(why: string): Promise<number>;
  /** From now on these signals stop the command (and force on repeat); `ignore` are ignored (a
   * detached supervisor outlives the terminal that started it: SIGHUP). Until this is called a
   * signal keeps Node's default, ending the process: nothing was started yet. */
  trapSignals(signals: NodeJS.Signals[], ignore?: NodeJS.Signals[]): void;
  /** True once a stop was requested. */
  readonly requested: boolean;
  /** The exit code, once the stop has finished. */
  readonly done: Promise<number>;
  /** Removes the signal handlers. */
  dispose(): void;
}

export function createShutdown(options: ShutdownOptions): Shutdown {
  let finished!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finished = resolve));
  let stopping = false;
  const handlers: Array<[NodeJS.Signals, (signal: NodeJS.Signals) => void]> = [];

  const begin = (why: string, signal: NodeJS.Signals | null): Promise<number> => {
    if (stopping) return done;
    stopping = true;
    options.onStopping?.(why, signal);
    void (async () => options.stop())().then(
      () => {
        options.onStopped?.();
        finished(EXIT.OK);
      },
      (err: unknown) => finished(options.onError ? options.onError(err) : EXIT.FAILURE),
    );
    return done;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stopping) {
      void begin(signal, signal);
      return;
    }
    options.onForcing?.(signal);
    options.force();
  };

  return {
    request: (why) => begin(why, null),
    trapSignals(signals, ignore = []) {
      const add = (s: NodeJS.Signals, h: (signal: NodeJS.Signals) => void): void => {
        process.on(s, h);
        handlers.push([s, h]);
      };
      for (const s of signals) add(s, onSignal);
      for (const s of ignore) add(s, () => undefined);
    },
    get requested() {
      return stopping;
    },
    done,
    dispose() {
      for (const [s, h] of handlers.splice(0)) process.off(s, h);
    },
  };
}
