// One xterm instance with its own DOM element, created once and moved between panes (so
// scrollback survives tab switches). Writes are queued and flushed by the registry once per frame.
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Terminal, type ITheme } from '@xterm/xterm';
import type { LogLine } from '../../../shared/events';

export const SCROLLBACK_LINES = 5000;
/** Lines held while a pane is paused; beyond this the oldest are counted and skipped. */
const MAX_PAUSED_LINES = 20_000;

export const DARK_THEME: ITheme = { background: '#11151c', foreground: '#d6dde8', cursor: '#11151c', selectionBackground: '#3a4a66' };
export const LIGHT_THEME: ITheme = { background: '#fbfcfe', foreground: '#1d2330', cursor: '#fbfcfe', selectionBackground: '#bcd0f5' };

export class LogTerminal {
  readonly term: Terminal;
  readonly search = new SearchAddon();
  readonly element: HTMLDivElement;
  private readonly fit = new FitAddon();
  private opened = false;
  private pending: string[] = [];
  private pendingLines = 0;
  private pausedQueue: string[] = [];
  private pausedSkipped = 0;
  private following = true;
  private resizeObserver: ResizeObserver | null = null;
  private fitTimer: ReturnType<typeof setTimeout> | null = null;
  /** Highest per-service line number written, so history and live lines do not repeat. */
  readonly lastN = new Map<string, number>();
  /** While history loads, live lines wait in `held`. */
  loading = false;
  held: LogLine[] = [];

  constructor(readonly key: string, theme: ITheme) {
    this.term = new Terminal({
      scrollback: SCROLLBACK_LINES,
      convertEol: false,
      disableStdin: true,
      cursorBlink: false,
      cursorStyle: 'bar',
      cursorInactiveStyle: 'none',
      fontSize: 12,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      theme,
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(this.search);
    this.element = document.createElement('div');
    this.element.className = 'log-terminal';
    this.element.dataset.terminal = key;
  }

  get isFollowing(): boolean {
    return this.following;
  }

  /** Moves the terminal's element into `host` (opening it the first time) and keeps it fitted. */
  attach(host: HTMLElement): void {
    host.appendChild(this.element);
    if (!this.opened) {
      this.term.open(this.element);
      this.opened = true;
    }
    this.resizeObserver?.disconnect();
    this.resizeObserver = new ResizeObserver(() => this.scheduleFit());
    this.resizeObserver.observe(host);
    this.scheduleFit();
  }

  detach(host: HTMLElement): void {
    if (this.element.parentElement === host) host.removeChild(this.element);
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
  }

  private scheduleFit(): void {
    if (this.fitTimer) clearTimeout(this.fitTimer);
    this.fitTimer = setTimeout(() => {
      this.fitTimer = null;
      if (this.element.isConnected && this.element.clientWidth > 0 && this.element.clientHeight > 0) this.fit.fit();
    }, 50);
  }

  enqueue(text: string): void {
    if (!this.following) {
      this.pausedQueue.push(text);
      if (this.pausedQueue.length > MAX_PAUSED_LINES) {
        this.pausedQueue.splice(0, this.pausedQueue.length - MAX_PAUSED_LINES);
        this.pausedSkipped++;
      }
      return;
    }
    this.pending.push(text);
    this.pendingLines++;
  }

  /** Writes everything queued; `done` runs when xterm has parsed it (the flow-control signal). */
  flush(done?: () => void): boolean {
    if (this.pending.length === 0) {
      done?.();
      return false;
    }
    const data = this.pending.join('');
    this.pending = [];
    this.pendingLines = 0;
    this.term.write(data, done);
    return true;
  }

  setFollowing(on: boolean): void {
    if (on === this.following) return;
    this.following = on;
    if (on) {
      if (this.pausedSkipped > 0) this.pending.push(`\x1b[30;43m[harness] ${this.pausedSkipped} lines skipped while paused\x1b[0m\r\n`);
      this.pending.push(...this.pausedQueue);
      this.pausedQueue = [];
      this.pausedSkipped = 0;
      this.term.scrollToBottom();
    }
  }

  clear(): void {
    this.term.clear();
  }

  reset(): void {
    this.pending = [];
    this.pausedQueue = [];
    this.held = [];
    this.lastN.clear();
    this.term.reset();
  }

  /** The buffer as plain text (copy / save). */
  text(): string {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let i = 0; i < buf.length; i++) {
      const line = buf.getLine(i);
      if (!line) continue;
      const s = line.translateToString(true);
      if (line.isWrapped && out.length > 0) out[out.length - 1] += s;
      else out.push(s);
    }
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out.join('\n') + '\n';
  }

  setTheme(theme: ITheme): void {
    this.term.options.theme = theme;
  }

  dispose(): void {
    if (this.fitTimer) clearTimeout(this.fitTimer);
    this.resizeObserver?.disconnect();
    this.term.dispose();
    this.element.remove();
  }
}
