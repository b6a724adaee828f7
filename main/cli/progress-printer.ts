// Compact terminal lines for long operations (image pulls, builds). The engine reports a pull as a
// stream of per-layer updates, dozens per second while bytes move; a terminal wants a few lines
// per layer: when it starts downloading (with its size) and when it is done.
import { formatBytes } from '../../shared/byte-size.js';
import type { ProgressEvent } from '../../shared/events.js';

/** Per-layer pull states worth a line; the others (Waiting, Verifying Checksum, Extracting, …)
 * only say that the next line is coming. */
const LAYER_MILESTONES = new Set(['Downloading', 'Pull complete', 'Already exists']);

/** Build output that only restates what the next line says. */
const BUILD_NOISE = /^(--->|Removing intermediate container|Successfully built|Successfully tagged)/;

export class ProgressPrinter {
  /** service/task/item -> last status printed, so a repeated status is printed once. */
  private readonly last = new Map<string, string>();

  constructor(private readonly note: (text: string) => void) {}

  event(p: ProgressEvent): void {
    const message = p.message.trim();
    if (p.error) {
      this.note(`${p.service}: ${p.task}${p.item ? ` ${shortId(p.item)}` : ''}: ${p.error}`);
      return;
    }
    if (!message) return;
    if (!p.item) {
      if (p.task === 'build' && BUILD_NOISE.test(message)) return;
      // A step that reports its bytes (a deploy checking a big package) repeats its message.
      const key = `${p.service}\u0000${p.task}`;
      if (p.current !== undefined && this.last.get(key) === message) return;
      this.last.set(key, message);
      this.note(`${p.service}: ${p.task}: ${message}`);
      return;
    }
    if (p.task === 'pull' && !LAYER_MILESTONES.has(message)) return;
    const key = `${p.service}\u0000${p.task}\u0000${p.item}`;
    if (p.task === 'transfer' && message === 'sending' && p.total) {
      // A package transfer reports many times a second: a line per quarter.
      const quarter = Math.floor((4 * (p.current ?? 0)) / p.total);
      const step = `${quarter * 25}%`;
      if (quarter === 0 || quarter >= 4 || this.last.get(key) === step) return;
      this.last.set(key, step);
      this.note(`${p.service}: ${p.task} ${shortId(p.item)}: ${step} of ${formatBytes(p.total)}`);
      return;
    }
    if (this.last.get(key) === message) return;
    this.last.set(key, message);
    const size = message === 'Downloading' && p.total ? ` ${formatBytes(p.total)}` : '';
    this.note(`${p.service}: ${p.task} ${shortId(p.item)}: ${message}${size}`);
  }
}

/** Layer ids arrive as 12 hex digits already; anything longer is cut the same way. */
function shortId(item: string): string {
  return /^(sha256:)?[0-9a-f]{13,}$/.test(item) ? item.replace(/^sha256:/, '').slice(0, 12) : item;
}
