// The package format of docs/packages.md, as code: what the root of a package must hold, the
// manifest, release ids, and where releases live on the host. Checked on the CheckedArchive the
// archive checker returns, so `harness pack` and the deployer apply the same rules.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { HarnessError } from '../../../shared/errors.js';
import { DEFAULT_ARCHIVE_LIMITS } from './archive-limits.js';
import { MANIFEST_NAME, type CheckedArchive } from './archive-check.js';
import type { CheckedMember } from './archive-tree.js';

export const PACKAGE_FILES = { start: 'start.sh', stop: 'stop.sh', health: 'health.sh', manifest: MANIFEST_NAME } as const;

export interface PackageManifest {
  name: string;
  version: string;
}

export interface PackageLayout {
  start: CheckedMember;
  stop?: CheckedMember;
  health?: CheckedMember;
  manifest?: PackageManifest;
  /** Not errors: unknown manifest keys, dropped mode bits. */
  warnings: string[];
}

export interface PackageProblemDetails {
  archive: string;
  /** The file of the package the problem is about, e.g. start.sh. */
  file: string;
}

/** A well-formed archive that is not a valid package. */
export class PackageInvalid extends HarnessError {
  declare readonly details: PackageProblemDetails;
  constructor(archive: string, file: string, problem: string) {
    super('BAD_REQUEST', `${archive}: ${file} ${problem} (see docs/packages.md)`, { archive, file });
    this.name = 'PackageInvalid';
  }
}

const MANIFEST_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}$/;

function script(checked: CheckedArchive, name: string, required: boolean): CheckedMember | undefined {
  const m = checked.members.find((x) => x.path === name);
  if (!m) {
    if (!required) return undefined;
    // A folder packed with its own name as the top directory: say so rather than "missing".
    const nested = checked.members.find((x) => x.path.split('/').length === 2 && x.path.endsWith(`/${name}`));
    const hint = nested
      ? `; the archive has it at ${JSON.stringify(nested.path)}: pack the folder's contents (\`harness pack ${nested.path.split('/')[0]}\`), not the folder`
      : '; a package needs an executable start.sh at its root';
    throw new PackageInvalid(checked.archive, name, `is missing${hint}`);
  }
  if (m.type !== 'file' && m.type !== 'hardlink') {
    throw new PackageInvalid(checked.archive, name, `must be a regular file, not a ${m.type}`);
  }
  if ((m.mode & 0o100) === 0) {
    throw new PackageInvalid(checked.archive, name, `is not executable (mode ${m.mode.toString(8).padStart(4, '0')}); run \`chmod +x ${name}\` before packing`);
  }
  return m;
}

export function parseManifest(archive: string, text: string, warnings: string[]): PackageManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PackageInvalid(archive, MANIFEST_NAME, `is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PackageInvalid(archive, MANIFEST_NAME, 'must be a JSON object {"name": ..., "version": ...}');
  }
  const obj = value as Record<string, unknown>;
  const field = (key: 'name' | 'version', re: RegExp, example: string): string => {
    const v = obj[key];
    if (typeof v !== 'string' || !re.test(v)) {
      throw new PackageInvalid(archive, MANIFEST_NAME, `field "${key}" must be a string like ${example} (letters, digits, ${key === 'name' ? "'.', '_', '-'" : "'.', '_', '-', '+', '~'"}; at most 64)`);
    }
    return v;
  };
  const manifest = { name: field('name', MANIFEST_NAME_RE, '"api"'), version: field('version', VERSION_RE, '"1.4.2"') };
  for (const k of Object.keys(obj)) {
    if (k !== 'name' && k !== 'version') warnings.push(`${MANIFEST_NAME}: unknown field "${k}" ignored`);
  }
  return manifest;
}

/** The manifest of a folder about to be packed, or null when it has none. */
export async function parseManifestFile(file: string): Promise<PackageManifest | null> {
  const st = await stat(file).catch(() => null);
  if (!st) return null;
  if (!st.isFile() || st.size > DEFAULT_ARCHIVE_LIMITS.maxManifestBytes) throw new PackageInvalid(file, basename(file), 'must be a regular file of at most 64 KiB');
  return parseManifest(file, await readFile(file, 'utf8'), []);
}

/** start.sh present and executable, stop.sh / health.sh executable when present, the manifest
 * valid when present. Throws PackageInvalid naming the file and what to do. */
export function checkPackageLayout(checked: CheckedArchive): PackageLayout {
  const warnings = [...checked.notes];
  const start = script(checked, PACKAGE_FILES.start, true) as CheckedMember;
  const stop = script(checked, PACKAGE_FILES.stop, false);
  const health = script(checked, PACKAGE_FILES.health, false);
  const m = checked.members.find((x) => x.path === MANIFEST_NAME);
  let manifest: PackageManifest | undefined;
  if (m) {
    if (m.type !== 'file') throw new PackageInvalid(checked.archive, MANIFEST_NAME, `must be a regular file, not a ${m.type}`);
    if (checked.manifestTooLarge || checked.manifest === undefined) throw new PackageInvalid(checked.archive, MANIFEST_NAME, `is larger than the limit (${m.size} bytes)`);
    manifest = parseManifest(checked.archive, checked.manifest, warnings);
  }
  return { start, ...(stop ? { stop } : {}), ...(health ? { health } : {}), ...(manifest ? { manifest } : {}), warnings };
}

// --- releases on the host -------------------------------------------------------------------

export const DEFAULT_INSTALL_ROOT = '/opt/harness';
/** Releases kept per service, the current and the previous one included. */
export const DEFAULT_KEEP_RELEASES = 5;

const RELEASE_ID_RE = /^(\d{8}T\d{6}Z)-([0-9a-f]{12})$/;

/** `20250314T091502Z-3f2a9c1b0d4e`: UTC time of the deploy, then the first 12 hex digits of the
 * canonical tar's sha256. Sorts by time; names the content. */
export function releaseId(tarSha256: string, at: Date = new Date()): string {
  if (!/^[0-9a-f]{64}$/.test(tarSha256)) throw new Error(`releaseId: not a sha256: ${tarSha256}`);
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${tarSha256.slice(0, 12)}`;
}

export function parseReleaseId(id: string): { at: Date; sha12: string } | null {
  const m = RELEASE_ID_RE.exec(id);
  if (!m) return null;
  const s = m[1];
  const at = new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);
  return Number.isNaN(at.getTime()) ? null : { at, sha12: m[2] };
}

export interface ReleasePaths {
  /** `<install_root>/<service>` */
  service: string;
  releases: string;
  /** Symlink to `releases/<id>` (relative), replaced atomically by rename. */
  current: string;
  /** Symlink to the release that was current before; what rollback switches to. */
  previous: string;
  /** Kept across releases: `HARNESS_DATA_DIR`. */
  data: string;
  release(id: string): string;
}

/** Where one service's releases live on its host (POSIX paths; install_root absolute). */
export function releasePaths(installRoot: string, service: string): ReleasePaths {
  if (!installRoot.startsWith('/')) throw new Error(`install_root must be absolute: ${installRoot}`);
  const root = `${installRoot.replace(/\/+$/, '')}/${service}`;
  return {
    service: root,
    releases: `${root}/releases`,
    current: `${root}/current`,
    previous: `${root}/previous`,
    data: `${root}/data`,
    release: (id: string) => `${root}/releases/${id}`,
  };
}

/** Release ids to delete so that at most `keep` remain: oldest first, never the current or the
 * previous one; names that are not release ids (a user's own files) are left alone. */
export function releasesToPrune(ids: string[], current: string | undefined, previous: string | undefined, keep = DEFAULT_KEEP_RELEASES): string[] {
  const releases = ids.filter((id) => parseReleaseId(id) !== null).sort();
  const excess = releases.length - Math.max(keep, 2);
  if (excess <= 0) return [];
  return releases.filter((id) => id !== current && id !== previous).slice(0, excess);
}
