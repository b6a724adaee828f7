// `harness pack DIR [-o FILE] [--json]`: builds a Wireguard package from a folder (docs/packages.md)
// and checks the result exactly as the deployer will (archive rules, canonical form, layout), so
// a package that packs is one that deploys.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { HarnessError } from '../../../shared/errors.js';
import {
  buildPackage,
  canonicalizeArchive,
  checkPackageLayout,
  MANIFEST_NAME,
  parseManifestFile,
  type CheckedArchive,
  type PackageLayout,
  type WrittenArchive,
} from '../../executors/wireguard/index.js';
import { flagBool, flagString, parseArgs, printHelp, UsageError, type CommandSpec } from '../args.js';
import { EXIT } from '../errors.js';
import { formatBytes } from '../../../shared/byte-size.js';
import { displayPath } from '../project-file.js';

export const packSpec: CommandSpec = {
  name: 'pack',
  usage: 'harness pack DIR [-o FILE] [--json]',
  summary:
    'Build a Wireguard package (.tar.gz) from the folder DIR, whose root holds an executable start.sh,\n' +
    'and check it as the deployer will. Prints the sha256, size and entry count.',
  flags: [
    { name: 'output', short: 'o', value: true, placeholder: 'FILE', description: 'the archive to write (default: NAME-VERSION.tar.gz from the manifest, else DIR.tar.gz, here)' },
    { name: 'json', description: 'print {file, sha256, bytes, entries, unpackedBytes, contentSha256, manifest, warnings} as JSON' },
  ],
  details:
    'The same folder always gives the same bytes: names in byte order, every time set to\n' +
    'SOURCE_DATE_EPOCH (default 1980-01-01), owner 0:0. The format is in docs/packages.md.\n\n' +
    'Exit status: 0 when the package was written and passes the checks, 1 when it does not (FILE is\n' +
    'then left as it was), 2 on a usage error.',
};

export async function packCommand(argv: string[]): Promise<number> {
  const args = parseArgs(packSpec, argv);
  if (args.flags.has('help')) return printHelp(packSpec);
  if (args.positionals.length !== 1) {
    throw new UsageError(args.positionals.length === 0 ? 'name the folder to pack (e.g. `harness pack ./app`)' : `one folder at a time (got ${args.positionals.join(', ')})`, 'pack');
  }
  const dir = resolve(args.positionals[0]);
  const output = resolve(flagString(args, 'output') ?? (await defaultOutput(dir)));
  const scratch = await mkdtemp(join(tmpdir(), 'harness-pack-'));
  const shownOutput = displayPath(output);
  let layout: PackageLayout | undefined;
  let checked: CheckedArchive | undefined;
  let built: WrittenArchive;
  try {
    // Checked before it replaces FILE: a package that fails leaves an earlier FILE as it was.
    built = await buildPackage(dir, {
      output,
      verify: async (file, written) => {
        const canonical = await canonicalizeArchive(file, join(scratch, 'canonical.tar'), { displayName: shownOutput });
        layout = checkPackageLayout(canonical.checked);
        checked = canonical.checked;
        if (canonical.written.tarSha256 !== written.tarSha256) {
          throw new HarnessError('INTERNAL', `${shownOutput}: the deployer would rewrite this archive (content ${canonical.written.tarSha256.slice(0, 12)} ≠ ${written.tarSha256.slice(0, 12)}); please report this`);
        }
      },
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (!layout || !checked) throw new HarnessError('INTERNAL', 'pack: the archive was not checked');
  const report = {
    file: built.file,
    sha256: built.sha256,
    bytes: built.bytes,
    entries: checked.members.length,
    unpackedBytes: checked.fileBytes,
    contentSha256: built.tarSha256,
    manifest: layout.manifest ?? null,
    warnings: layout.warnings,
  };
  if (flagBool(args, 'json')) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return EXIT.OK;
  }
  for (const w of report.warnings) process.stderr.write(`harness: warning: ${w}\n`);
  const shown = displayPath(report.file);
  const what = report.manifest ? `${report.manifest.name} ${report.manifest.version}` : basename(dir);
  process.stdout.write(
    `packed ${what}: ${shown}, ${report.entries} entr${report.entries === 1 ? 'y' : 'ies'}, ${formatBytes(report.bytes)} (${formatBytes(report.unpackedBytes)} unpacked)\n` +
      `${report.sha256}  ${shown}\n`,
  );
  return EXIT.OK;
}

/** NAME-VERSION.tar.gz from the folder's manifest, else the folder's name. */
async function defaultOutput(dir: string): Promise<string> {
  const manifest = await parseManifestFile(join(dir, MANIFEST_NAME)).catch(() => null);
  return resolve(manifest ? `${manifest.name}-${manifest.version}.tar.gz` : `${basename(dir)}.tar.gz`);
}
