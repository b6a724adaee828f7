import { loadProject } from '../../config/load-project.js';
import { FILE_FLAG, parseArgs, printHelp, type CommandSpec } from '../args.js';
import { EXIT } from '../errors.js';
import { displayPath, formatCliProblem, projectFile } from '../project-file.js';

export const validateSpec: CommandSpec = {
  name: 'validate',
  usage: 'harness validate [-f FILE]',
  summary: 'Check services.yaml and print every problem as file:line:col: severity: path: message.',
  flags: [FILE_FLAG],
  details: 'Exit status: 0 when the file is valid (warnings allowed), 1 when it has errors.',
};

export async function validateCommand(argv: string[]): Promise<number> {
  const args = parseArgs(validateSpec, argv);
  if (args.flags.has('help')) return printHelp(validateSpec);
  const file = projectFile(args, false);
  const { config, problems, counts } = await loadProject(file);
  for (const p of problems) process.stdout.write(`${formatCliProblem(p)}\n`);
  // The listed problems are capped; the counts are of every problem found.
  const errors = counts?.errors ?? problems.filter((p) => p.severity === 'error').length;
  if (errors > 0 || !config) {
    process.stdout.write(`${displayPath(file)}: ${errors} error(s)\n`);
    return EXIT.FAILURE;
  }
  const warnings = counts?.warnings ?? problems.length - errors;
  const n = config.services.length;
  process.stdout.write(`${displayPath(file)}: OK (${n} service${n === 1 ? '' : 's'}${warnings ? `, ${warnings} warning(s)` : ''})\n`);
  return EXIT.OK;
}
