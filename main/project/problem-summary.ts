import type { ConfigProblem } from '../../shared/config-types.js';

/** The first few errors as `file:line:col: path: message` lines, for error messages. */
export function problemSummary(problems: ConfigProblem[], max = 5): string {
  const errors = problems.filter((p) => p.severity === 'error');
  const lines = errors.slice(0, max).map((p) => {
    const where = p.line > 0 ? `${p.file}:${p.line}:${p.column}` : p.file;
    return `  ${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
  });
  if (errors.length > max) lines.push(`  … and ${errors.length - max} more`);
  return lines.join('\n');
}
