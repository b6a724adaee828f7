// Fan-out of core events with the global sequence number that status and health events carry.
import type { CoreEvent, CoreListener } from './core-events.js';

export class CoreEventBus {
  private readonly listeners = new Set<CoreListener>();
  private seq = 0;

  on(listener: CoreListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The next number of the global, strictly increasing sequence. */
  nextSeq(): number {
    return ++this.seq;
  }

  get lastSeq(): number {
    return this.seq;
  }

  emit(event: CoreEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A faulty observer must not break orchestration.
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
