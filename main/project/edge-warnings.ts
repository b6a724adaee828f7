// Warnings about dependency edges (e.g. "store listens on port 7000 only on 127.0.0.1, which
// containers cannot reach") become one system log line of the dependent service per start.
// Resolvers run on every env injection and every topology request (the UI asks often), so the
// same warning is written once, and again only after the dependent starts anew or it changes.
export class EdgeWarnings {
  private readonly logged = new Map<string, string>();

  constructor(private readonly write: (service: string, line: string) => void) {}

  /** For DockerResolverOptions.onWarning. */
  readonly report = (from: string, to: string, warning: string): void => {
    const key = `${from}\u0000${to}`;
    if (this.logged.get(key) === warning) return;
    this.logged.set(key, warning);
    this.write(from, warning);
  };

  /** The service is starting again: its edges' warnings are worth a line again. */
  reset(service: string): void {
    for (const key of [...this.logged.keys()]) {
      if (key.slice(0, key.indexOf('\u0000')) === service) this.logged.delete(key);
    }
  }
}
