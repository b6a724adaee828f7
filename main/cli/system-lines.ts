// `harness up -d` echoes Harness's own log lines (system stream: recovery of an earlier
// supervisor's processes and containers, adoption, recreation, start failures, address warnings)
// while it waits. Lines logged before it connected come from the history, later ones live; a line
// present in both is printed once (per-service line numbers, as `harness logs -f` does).
import type { LogLine } from '../../shared/events.js';

export class SystemLineEcho {
  private readonly lastN = new Map<string, number>();
  /** Live lines that arrive before the history was printed; null once it was. */
  private held: LogLine[] | null = [];

  constructor(private readonly print: (line: LogLine) => void) {}

  live(lines: readonly LogLine[]): void {
    for (const l of lines) {
      if (l.stream !== 'system') continue;
      if (this.held) this.held.push(l);
      else this.emit(l);
    }
  }

  history(lines: readonly LogLine[]): void {
    for (const l of lines) if (l.stream === 'system') this.emit(l);
    const held = this.held ?? [];
    this.held = null;
    held.forEach((l) => this.emit(l));
  }

  private emit(l: LogLine): void {
    if (l.n > 0) {
      if (l.n <= (this.lastN.get(l.service) ?? 0)) return;
      this.lastN.set(l.service, l.n);
    }
    this.print(l);
  }
}
