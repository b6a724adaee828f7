// The undo history of an open document, kept as whole document texts: one entry per edit call
// (or per group of calls the caller marks as one gesture), so undo and redo restore exact bytes,
// whatever the edit did. Texts are shared strings, so an entry costs the size of its text; the
// history is bounded in entries and in bytes, dropping the oldest first.

export interface HistoryEntry {
  text: string;
  /** What made this entry ("Move store", "Delete api"); the Edit menu shows it. */
  label: string;
  /** Calls with the same group, in a row and close in time, are one entry (typing). */
  group?: string;
  at: number;
}

export interface DraftHistoryOptions {
  maxEntries?: number;
  maxBytes?: number;
  /** Consecutive calls of one group merge when they come within this time of each other. */
  groupMs?: number;
  now?: () => number;
}

export class DraftHistory {
  private entries: HistoryEntry[];
  private index = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly groupMs: number;
  private readonly now: () => number;

  constructor(initial: string, options: DraftHistoryOptions = {}) {
    this.maxEntries = Math.max(2, options.maxEntries ?? 500);
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.groupMs = options.groupMs ?? 1500;
    this.now = options.now ?? Date.now;
    this.entries = [{ text: initial, label: 'Open', at: this.now() }];
  }

  get text(): string {
    return this.entries[this.index].text;
  }

  get canUndo(): boolean {
    return this.index > 0;
  }

  get canRedo(): boolean {
    return this.index < this.entries.length - 1;
  }

  /** What undo would take back. */
  get undoLabel(): string | undefined {
    return this.canUndo ? this.entries[this.index].label : undefined;
  }

  /** What redo would do again. */
  get redoLabel(): string | undefined {
    return this.canRedo ? this.entries[this.index + 1].label : undefined;
  }

  /** Records `text` as the new current state; false (nothing recorded) when it is unchanged. */
  push(text: string, label: string, group?: string): boolean {
    if (text === this.text) return false;
    const at = this.now();
    const top = this.entries[this.index];
    // Redo is gone once something new happens.
    this.entries.length = this.index + 1;
    if (group !== undefined && top.group === group && this.index > 0 && at - top.at <= this.groupMs) {
      if (text === this.entries[this.index - 1].text) {
        // The group came back to where it started: no step left to undo.
        this.entries.pop();
        this.index--;
      } else {
        this.entries[this.index] = { text, label: top.label, group, at };
      }
      return true;
    }
    this.entries.push({ text, label, group, at });
    this.index++;
    this.trim();
    return true;
  }

  /** Steps back; the text to show now, or null when there is nothing to undo. */
  undo(): string | null {
    if (!this.canUndo) return null;
    this.index--;
    // An undo ends any group: typing after it is a new step.
    this.entries[this.index] = { ...this.entries[this.index], group: undefined };
    return this.text;
  }

  redo(): string | null {
    if (!this.canRedo) return null;
    this.index++;
    this.entries[this.index] = { ...this.entries[this.index], group: undefined };
    return this.text;
  }

  private trim(): void {
    let bytes = this.entries.reduce((n, e) => n + e.text.length * 2, 0);
    while (this.entries.length > 2 && (this.entries.length > this.maxEntries || bytes > this.maxBytes)) {
      bytes -= this.entries[0].text.length * 2;
      this.entries.shift();
      this.index--;
    }
  }
}
