// Collects every problem of a file at once, each with its location and field path.
import type { ConfigProblem } from '../../shared/config-types.js';

export interface Pos {
  line: number;
  column: number;
}

export const NO_POS: Pos = { line: 0, column: 0 };

export class ProblemList {
  readonly items: ConfigProblem[] = [];
  constructor(readonly file: string) {}

  error(pos: Pos, path: string, message: string, file = this.file): void {
    this.items.push({ file, line: pos.line, column: pos.column, path, message, severity: 'error' });
  }

  warn(pos: Pos, path: string, message: string, file = this.file): void {
    this.items.push({ file, line: pos.line, column: pos.column, path, message, severity: 'warning' });
  }

  get hasErrors(): boolean {
    return this.items.some((p) => p.severity === 'error');
  }
}

/** `file:line:col: path: message` — the form the CLI prints. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
  return `${where}: ${p.severity}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}
