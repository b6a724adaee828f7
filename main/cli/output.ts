// Terminal output: Compose-style merged log stream (`api    | line`), status lines and tables.
// Colour only when writing to a TTY, never with NO_COLOR (https://no-color.org) or --no-color;
// FORCE_COLOR=1 forces it (useful in CI logs).
import type { LogLine } from '../../shared/events.js';
import type { ServiceState } from '../../shared/service-state.js';

export interface Writer {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function useColour(stream: Writer, noColorFlag = false, env: NodeJS.ProcessEnv = process.env): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== '') return true;
  return stream.isTTY === true;
}

// Compose's palette order: services get a stable colour by position.
const PALETTE = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

export const sgr = (on: boolean, code: string, text: string): string => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

export class LogPrinter {
  private width = 0;
  private readonly colours = new Map<string, number>();

  constructor(
    private readonly out: Writer,
    private readonly colour: boolean,
    services: string[] = [],
  ) {
    for (const s of services) this.register(s);
  }

  register(service: string): void {
    if (!this.colours.has(service)) this.colours.set(service, PALETTE[this.colours.size % PALETTE.length]);
    this.width = Math.max(this.width, service.length);
  }

  /** `api    | line` for stdout, `api    ! line` for stderr, `api    * line` for Harness's own. */
  line(l: LogLine): void {
    this.register(l.service);
    const name = l.service.padEnd(this.width);
    const mark = l.stream === 'stderr' ? '!' : l.stream === 'system' ? '*' : '|';
    const prefix = sgr(this.colour, String(this.colours.get(l.service)), `${name} ${mark}`);
    const text = l.stream === 'system' ? sgr(this.colour, '2', l.line) : l.stream === 'stderr' ? sgr(this.colour, '31', l.line) : l.line;
    this.out.write(`${prefix} ${text}\n`);
  }

  /** `==> api: healthy (pid 4242)`: the lines a user (and the tests) follow for lifecycle. */
  status(state: ServiceState): void {
    this.out.write(`${sgr(this.colour, '1', `==> ${state.name}: ${describeStatus(state)}`)}\n`);
  }

  note(text: string): void {
    this.out.write(`${sgr(this.colour, '1', `==> ${text}`)}\n`);
  }
}

export function describeStatus(s: ServiceState): string {
  const parts: string[] = [s.status];
  if (s.status === 'starting' || s.status === 'running') {
    // A container is known by its id; its pid belongs to the engine's view of the host.
    if (s.type === 'Docker' && s.instance) parts.push(`(container ${s.instance.slice(0, 12)})`);
    else if (s.pid) parts.push(`(pid ${s.pid})`);
  }
  if (s.status === 'exited' || (s.status === 'stopped' && (s.exitCode !== undefined || s.signal))) {
    if (s.signal) parts.push(`(signal ${s.signal})`);
    else if (s.exitCode !== undefined && s.exitCode !== null) parts.push(`(exit code ${s.exitCode})`);
  }
  if (s.error && (s.status === 'failed' || s.status === 'unhealthy' || s.status === 'exited' || s.status === 'unknown')) parts.push(`: ${s.error}`);
  if (s.status === 'stopping' && s.stopWait) {
    const left = Math.max(0, Math.ceil((s.stopWait.killAt - Date.now()) / 1000));
    parts.push(`: still running after ${s.stopWait.signal}; waiting up to ${left} s more, then SIGKILL (at ${new Date(s.stopWait.killAt).toTimeString().slice(0, 8)})`);
  }
  return parts.join(' ').replace(' :', ':');
}

/** Plain text table, columns padded; no colour so it can be piped. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('   ').trimEnd();
  return `${[fmt(headers), ...rows.map(fmt)].join('\n')}\n`;
}
