// Test fixtures that made machine-wide things (namespaces, tunnels) remove them when the run is
// interrupted (Ctrl-C, the runner's SIGTERM, a hang-up); what a SIGKILL leaves is swept at the
// start of the next run.

/** Runs `cleanup` on SIGINT, SIGTERM or SIGHUP, then, when nobody else handles that signal, dies
 * of it as the process would have without the handler. `first`: ahead of the handlers already
 * registered (tunnels must go before the namespaces they live in). */
export function cleanupOnSignals(cleanup: () => void, opts: { first?: boolean } = {}): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      cleanup();
      process.off(sig, onSignal);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    if (opts.first) process.prependListener(sig, onSignal);
    else process.on(sig, onSignal);
  }
}
