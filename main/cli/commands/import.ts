// `harness import docker-compose.yml [-o services.yaml] [--force] [--profile NAME]`: converts a
// compose file (main/compose/), prints every field not converted or approximated, and checks the
// result with the loader as `harness validate` would.
import { dirname, join } from 'node:path';
import { resolve } from 'node:path';
import { importCompose } from '../../compose/import-compose.js';
import { flagBool, flagString, parseArgs, printHelp, UsageError, type CommandSpec } from '../args.js';
import { EXIT } from '../errors.js';
import { displayPath, formatCliProblem } from '../project-file.js';

export const importSpec: CommandSpec = {
  name: 'import',
  usage: 'harness import COMPOSE_FILE [-o FILE] [--force] [--profile NAME]...',
  summary:
    'Convert a docker-compose file into a services.yaml. Prints each field that was not converted\n' +
    'or was approximated, as compose-file:line: field.path: what and why.',
  flags: [
    { name: 'output', short: 'o', value: true, placeholder: 'FILE', description: 'the services.yaml to write (default: services.yaml beside the compose file)' },
    { name: 'force', description: 'replace FILE when it exists' },
    {
      name: 'profile',
      value: true,
      repeatable: true,
      placeholder: 'NAME',
      description: 'also import the services of this Compose profile (repeatable; "*" for all)',
    },
  ],
  details:
    'Services with `profiles:` are left out unless one of their profiles is given, as `docker compose up`\n' +
    'does. See docs/compose-import.md for the mapping.\n\n' +
    'Exit status: 0 when the file was written and is valid (warnings allowed), 1 when it was written\n' +
    'but does not validate or could not be written, 2 on a usage error (or an existing FILE without --force).',
};

export async function importCommand(argv: string[]): Promise<number> {
  const args = parseArgs(importSpec, argv);
  if (args.flags.has('help')) return printHelp(importSpec);
  if (args.positionals.length !== 1) {
    throw new UsageError(args.positionals.length === 0 ? 'name the compose file to import (e.g. docker-compose.yml)' : `one compose file at a time (got ${args.positionals.join(', ')})`, 'import');
  }
  const source = resolve(args.positionals[0]);
  const target = resolve(flagString(args, 'output') ?? join(dirname(source), 'services.yaml'));
  const profiles = (flagString(args, 'profile') ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const force = flagBool(args, 'force');
  let result;
  try {
    result = await importCompose({ source, target, profiles, force, displayName: displayPath(source) });
  } catch (err) {
    if ((err as { code?: string }).code === 'CONFLICT') {
      throw new UsageError(`${displayPath(target)} already exists; use --force to replace it, or -o to write another file`, 'import');
    }
    throw err;
  }
  const out = process.stdout;
  for (const line of result.losses) out.write(`${line}\n`);
  const n = result.services.length;
  const list = n > 0 ? ` (${result.services.join(', ')})` : '';
  const lost = result.losses.length;
  out.write(
    `wrote ${displayPath(result.file)}: ${n} service${n === 1 ? '' : 's'}${list}; ` +
      `${lost === 0 ? 'nothing lost' : `${lost} field(s) not converted or approximated (listed above, and in the file's comments)`}\n`,
  );
  for (const p of result.problems) out.write(`${formatCliProblem(p)}\n`);
  if (!result.valid) {
    const errors = result.problems.filter((p) => p.severity === 'error').length;
    out.write(`${displayPath(result.file)}: ${errors} error(s); fix them, then check with \`harness validate -f ${displayPath(result.file)}\`\n`);
    return EXIT.FAILURE;
  }
  return EXIT.OK;
}
