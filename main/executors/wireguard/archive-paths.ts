// Pure rules on the names inside a package archive: what a member's name must look like, the one
// normal form it is compared and written in, and the key two names collide under on a
// case-insensitive or normalizing filesystem (APFS, HFS+, NTFS, ext4 with casefold).
import type { ArchiveLimits } from './archive-limits.js';
import { MemberProblem } from './archive-rejection.js';

// C0 controls and DEL: a newline in a name breaks every line-based tool that lists the release.
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
// What a decoder puts in place of bytes that are not UTF-8.
const REPLACEMENT = '\ufffd';
const DRIVE = /^[A-Za-z]:/;
// Code points HFS+ and some tools ignore in names (zero-width joiners, direction marks, variation
// selectors, BOM): `.git` and `.g\u200cit` were one directory on HFS+ (CVE-2014-9390).
const IGNORABLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad], [0x034f, 0x034f], [0x115f, 0x1160], [0x17b4, 0x17b5], [0x180b, 0x180f],
  [0x200b, 0x200f], [0x202a, 0x202e], [0x2060, 0x206f], [0x3164, 0x3164], [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff], [0xffa0, 0xffa0],
];

function stripIgnorable(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (!IGNORABLE_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi)) out += ch;
  }
  return out;
}

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The text checks every name and link target gets. */
function checkText(text: string, member: string, what: 'name' | 'link target'): void {
  if (hasControl(text)) throw new MemberProblem('control-character', member, `in the ${what}`);
  if (text.includes(REPLACEMENT)) throw new MemberProblem('encoding', member, `in the ${what}`);
  if (text.includes('\\')) throw new MemberProblem('backslash', member, what === 'name' ? undefined : `target ${JSON.stringify(text)}`);
}

/**
 * A member's name as written → its path inside the release directory: components joined by '/',
 * without '.', empty components, a leading './' or a trailing '/'. `null` for the release directory
 * itself (`.`, `./`). Throws MemberProblem for a name no release may hold.
 */
export function memberPath(raw: string, limits: ArchiveLimits): string | null {
  if (raw === '') throw new MemberProblem('empty-name', raw);
  checkText(raw, raw, 'name');
  if (raw.startsWith('/') || DRIVE.test(raw)) throw new MemberProblem('absolute-path', raw);
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new MemberProblem('dot-dot', raw);
  if (parts.length === 0) return null;
  if (parts.length > limits.maxDepth) throw new MemberProblem('too-deep', raw, `${parts.length} levels, the limit is ${limits.maxDepth}`);
  const path = parts.join('/');
  if (utf8Bytes(path) > limits.maxPathBytes) throw new MemberProblem('name-too-long', raw, `${utf8Bytes(path)} bytes, the limit is ${limits.maxPathBytes}`);
  const long = parts.find((p) => utf8Bytes(p) > limits.maxComponentBytes);
  if (long !== undefined) throw new MemberProblem('name-too-long', raw, `a component of ${utf8Bytes(long)} bytes, the limit is ${limits.maxComponentBytes}`);
  return path;
}

/** A symlink's target: relative, no backslash or control characters, bounded. Returned as written. */
export function symlinkTarget(target: string, member: string, limits: ArchiveLimits): string {
  if (target === '') throw new MemberProblem('link-escape', member, 'an empty target');
  checkText(target, member, 'link target');
  if (target.startsWith('/') || DRIVE.test(target)) throw new MemberProblem('link-absolute', member, `target ${JSON.stringify(target)}`);
  if (utf8Bytes(target) > limits.maxLinkTargetBytes) throw new MemberProblem('name-too-long', member, `a link target of ${utf8Bytes(target)} bytes`);
  return target;
}

/** A hardlink's target names another member (relative to the archive root, not to the link). */
export function hardlinkTarget(target: string, member: string, limits: ArchiveLimits): string {
  if (target === '') throw new MemberProblem('hardlink-target', member, 'an empty target');
  checkText(target, member, 'link target');
  if (target.startsWith('/') || DRIVE.test(target)) throw new MemberProblem('link-absolute', member, `target ${JSON.stringify(target)}`);
  const parts = target.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new MemberProblem('link-escape', member, `target ${JSON.stringify(target)} has a ".." component`);
  if (parts.length === 0 || utf8Bytes(target) > limits.maxLinkTargetBytes) throw new MemberProblem('hardlink-target', member, `target ${JSON.stringify(target)}`);
  return parts.join('/');
}

/** The key under which two names are the same file on a case-insensitive, normalizing
 * filesystem: canonical decomposition, ignorable code points dropped, case folded both ways
 * (so `ß` meets `SS` and `ss`, as node-tar's path reservations had to learn). */
export function collisionKey(path: string): string {
  return stripIgnorable(path.normalize('NFD')).toLowerCase().toUpperCase().normalize('NFD');
}

/** Whether two different names that share a collision key differ by Unicode form (or ignorable
 * code points) only, rather than by letter case. */
export function differsOnlyInUnicode(a: string, b: string): boolean {
  const plain = (s: string) => stripIgnorable(s.normalize('NFC'));
  return plain(a) === plain(b);
}

/** Parent directories of a normalized path, outermost first: `a/b/c` → `a`, `a/b`. */
export function ancestors(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** Directory holding a normalized path: '' for the release directory itself. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}
