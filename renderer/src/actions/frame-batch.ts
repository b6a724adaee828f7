// Collects items and hands them over once per animation frame, so a burst of events costs one
// store update and one render. A timer backs the frame up: hidden windows get no frames.
export class FrameBatch<T> {
  private items: T[] = [];
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly flushTo: (items: T[]) => void,
    private readonly maxDelayMs = 100,
  ) {}

  push(item: T): void {
    this.items.push(item);
    if (this.timer !== null) return;
    this.frame = requestAnimationFrame(() => this.flush());
    this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
  }

  flush(): void {
    cancelAnimationFrame(this.frame);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const items = this.items;
    this.items = [];
    if (items.length > 0) this.flushTo(items);
  }

  dispose(): void {
    this.flush();
  }
}
