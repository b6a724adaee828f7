// One log terminal with its own DOM element, created once and moved between panes (so scrollback
// survives tab switches). Writes are queued and flushed by the registry once per frame.
// The xterm instance behind it is created when xterm's chunk has loaded (xterm-loader.ts): until
// then writes stay queued and their `done` callbacks (the core's acks) wait with them, so a line
// is acknowledged only once xterm has parsed it, whether or not xterm was there when it came.
import type { FitAddon } from '@xterm/addon-fit';
import type { SearchAddon } from '@xterm/addon-search';
import type { ITheme, Terminal } from '@xterm/xterm';
import type { LogLine } from '../../../shared/events';
import { loadXterm } from './xterm-loader';

export const SCROLLBACK_LINES = 5000;
/** Lines held while a pane is paused; beyond this the oldest are counted and skipped. */
const MAX_PAUSED_LINES = 20_000;

export const DARK_THEME: ITheme = { background: '#11151c', foreground: '#d6dde8', cursor: '#11151c', selectionBackground: '#3a4a66' };
export const LIGHT_THEME: ITheme = { background: '#fbfcfe', foreground: '#1d2330', cursor: '#fbfcfe', selectionBackground: '#bcd0f5' };

interface Xterm {
  term: Terminal;
  fit: FitAddon;
  search: SearchAddon;
}

export class LogTerminal {
  readonly element: HTMLDivElement;
  private x: Xterm | null = null;
  private creating = false;
  private disposed = false;
  private opened = false;
  private pending: string[] = [];
  /** `done` callbacks of flushes made before xterm existed: they run when their data is written. */
  private waiting: Array<() => void> = [];
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

  /** `onReady` runs once xterm exists, so the owner flushes what queued up meanwhile. */
  constructor(
    readonly key: string,
    private theme: ITheme,
    private readonly onReady: () => void = () => undefined,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'log-terminal';
    this.element.dataset.terminal = key;
  }

  get isFollowing(): boolean {
    return this.following;
  }

  /** True once xterm is loaded and this terminal's instance exists. */
  get ready(): boolean {
    return this.x !== null;
  }

  /** Creates the xterm instance (loading xterm's chunk first, the first time). */
  private ensure(): void {
    if (this.x || this.creating || this.disposed) return;
    this.creating = true;
    loadXterm().then(
      (m) => {
        this.creating = false;
        if (this.disposed) return;
        const term = new m.Terminal({
          scrollback: SCROLLBACK_LINES,
          convertEol: false,
          disableStdin: true,
          cursorBlink: false,
          cursorStyle: 'bar',
          cursorInactiveStyle: 'none',
          fontSize: 12,
          fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
          theme: this.theme,
        });
        const fit = new m.FitAddon();
        const search = new m.SearchAddon();
        term.loadAddon(fit);
        term.loadAddon(search);
        this.x = { term, fit, search };
        if (this.element.isConnected) this.open();
        this.onReady();
      },
      (err: unknown) => {
        this.creating = false;
        console.error(`harness: log terminal "${this.key}" could not load xterm`, err);
      },
    );
  }

  private open(): void {
    if (!this.x || this.opened) return;
    this.x.term.open(this.element);
    this.opened = true;
    this.scheduleFit();
  }

  /** Moves the terminal's element into `host` (opening it the first time) and keeps it fitted. */
  attach(host: HTMLElement): void {
    host.appendChild(this.element);
    this.ensure();
    this.open();
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
      if (this.x && this.opened && this.element.isConnected && this.element.clientWidth > 0 && this.element.clientHeight > 0) this.x.fit.fit();
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
  }

  /**
   * Writes everything queued; `done` runs when xterm has parsed it (the flow-control signal).
   * Before xterm exists the data and `done` both wait (and xterm starts loading).
   */
  flush(done?: () => void): boolean {
    if (!this.x) {
      if (this.pending.length === 0 && this.waiting.length === 0) {
        done?.();
        return false;
      }
      if (done) this.waiting.push(done);
      this.ensure();
      return false;
    }
    const dones = this.waiting;
    this.waiting = [];
    if (done) dones.push(done);
    const finish = () => dones.forEach((d) => d());
    if (this.pending.length === 0) {
      finish();
      return false;
    }
    const data = this.pending.join('');
    this.pending = [];
    this.x.term.write(data, finish);
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
      this.x?.term.scrollToBottom();
    }
  }

  clear(): void {
    this.x?.term.clear();
  }

  reset(): void {
    this.pending = [];
    this.pausedQueue = [];
    this.held = [];
    this.lastN.clear();
    this.x?.term.reset();
  }

  /** The selected text, or null when nothing is selected. */
  selection(): string | null {
    return this.x?.term.hasSelection() ? this.x.term.getSelection() : null;
  }

  findNext(query: string): void {
    this.x?.search.findNext(query);
  }

  findPrevious(query: string): void {
    this.x?.search.findPrevious(query);
  }

  /** The buffer as plain text (copy / save). */
  text(): string {
    // Not loaded yet: the queued text, without its colour codes (SGR escapes).
    // eslint-disable-next-line no-control-regex
    if (!this.x) return this.pending.join('').replace(/\x1b\[[0-9;]*m/g, '').replace(/\r\n/g, '\n');
    const buf = this.x.term.buffer.active;
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
    this.theme = theme;
    if (this.x) this.x.term.options.theme = theme;
  }

  dispose(): void {
    this.disposed = true;
    if (this.fitTimer) clearTimeout(this.fitTimer);
    this.resizeObserver?.disconnect();
    this.x?.term.dispose();
    this.x = null;
    // Nothing will be written any more: release the waiting acks rather than leak them.
    const dones = this.waiting;
    this.waiting = [];
    dones.forEach((d) => d());
    this.element.remove();
  }
}
