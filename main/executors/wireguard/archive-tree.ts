// The members of a package archive as the release directory would hold them, checked as each one
// arrives (names, types, collisions, what lies under what) and once more when all are known (every
// symlink resolved through the others). A member is either refused with its rule or becomes a
// CheckedMember: the only things the canonical archive is written from.
import type { ArchiveLimits } from './archive-limits.js';
import { ancestors, collisionKey, differsOnlyInUnicode, hardlinkTarget, memberPath, parentOf, symlinkTarget } from './archive-paths.js';
import { MemberProblem } from './archive-rejection.js';

export type MemberType = 'directory' | 'file' | 'symlink' | 'hardlink';

export interface CheckedMember {
  /** The name as written in the archive. */
  name: string;
  /** Inside the release directory: '/'-separated, no '.', no leading './', no trailing '/'. */
  path: string;
  /** A hardlink is extracted as a copy of the regular file it names (`target`). */
  type: MemberType;
  /** Permission bits as extracted: files keep theirs plus owner read/write, without setuid,
   * setgid and sticky; directories are 0755; symlinks 0777. */
  mode: number;
  /** Bytes of data: a file's own, a hardlink's target's; 0 for directories and symlinks. */
  size: number;
  /** Modification time, whole seconds since the epoch (directories: 0). */
  mtime: number;
  /** A symlink's target as written; a hardlink's regular file (normalized path). */
  target?: string;
}

/** The header fields the checks read; tar-stream's Header has them all. */
export interface MemberHeader {
  name: string;
  type: string | null;
  mode: number;
  size: number;
  mtime: Date;
  linkname: string | null;
  pax?: unknown;
}

type NodeKind = 'dir' | 'implicit-dir' | 'file' | 'symlink';

interface TreeNode {
  path: string;
  kind: NodeKind;
  member?: CheckedMember;
  /** For an implicit directory: the member that made it one, for messages. */
  because?: string;
}

const MAX_NOTES = 20;
const MAX_MTIME = 2 ** 31 - 1;

function seconds(d: Date): number {
  const s = Math.floor(d.getTime() / 1000);
  return Number.isFinite(s) ? Math.min(Math.max(s, 0), MAX_MTIME) : 0;
}

function isSparse(pax: unknown): boolean {
  return typeof pax === 'object' && pax !== null && Object.keys(pax).some((k) => k.startsWith('GNU.sparse.'));
}

export class ArchiveTree {
  readonly members: CheckedMember[] = [];
  readonly notes: string[] = [];
  private entries = 0;
  private suppressedNotes = 0;
  private readonly byKey = new Map<string, TreeNode>();
  private readonly symlinks: CheckedMember[] = [];

  constructor(private readonly limits: ArchiveLimits) {}

  /** Checks one member in archive order; null for the release directory itself (`./`). */
  add(h: MemberHeader): CheckedMember | null {
    if (++this.entries > this.limits.maxEntries) throw new MemberProblem('too-many-entries', h.name, `more than ${this.limits.maxEntries}`);
    const path = memberPath(h.name, this.limits);
    const type = this.memberType(h);
    const mtime = seconds(h.mtime);
    if (type !== 'file' && h.size > 0) throw new MemberProblem('corrupt', h.name, `a ${type} with ${h.size} bytes of data`);
    if (path === null) {
      if (type !== 'directory') throw new MemberProblem('type-conflict', h.name, `the release directory itself as a ${type}`);
      return null;
    }
    let member: CheckedMember;
    switch (type) {
      case 'directory':
        member = { name: h.name, path, type, mode: 0o755, size: 0, mtime: 0 };
        this.place(member, 'dir');
        break;
      case 'file': {
        if (h.mode & 0o7000) this.note(`${path}: setuid, setgid and sticky bits dropped`);
        member = { name: h.name, path, type, mode: (h.mode & 0o777) | 0o600, size: h.size, mtime };
        this.place(member, 'file');
        break;
      }
      case 'symlink': {
        member = { name: h.name, path, type, mode: 0o777, size: 0, mtime, target: h.linkname ?? '' };
        this.place(member, 'symlink');
        symlinkTarget(member.target as string, h.name, this.limits);
        this.symlinks.push(member);
        break;
      }
      case 'hardlink': {
        const targetPath = hardlinkTarget(h.linkname ?? '', h.name, this.limits);
        const node = this.byKey.get(collisionKey(targetPath));
        if (!node || node.path !== targetPath || node.kind !== 'file' || !node.member) {
          const what = !node || node.path !== targetPath ? 'no earlier member of that name' : `it is a ${node.kind === 'symlink' ? 'symlink' : 'directory'}`;
          throw new MemberProblem('hardlink-target', h.name, `target ${JSON.stringify(h.linkname)}: ${what}`);
        }
        const source = node.member.type === 'hardlink' ? (node.member.target as string) : node.member.path;
        member = { name: h.name, path, type, mode: node.member.mode, size: node.member.size, mtime: node.member.mtime, target: source };
        this.place(member, 'file');
        break;
      }
    }
    this.members.push(member);
    return member;
  }

  /** The checks that need every member: each symlink's target, followed through the others,
   * stays inside the release directory and ends. */
  finish(): void {
    for (const link of this.symlinks) this.resolveInside(link);
  }

  private memberType(h: MemberHeader): MemberType {
    switch (h.type) {
      case 'file':
      case 'contiguous-file':
        if (isSparse(h.pax)) throw new MemberProblem('unsupported-type', h.name, 'a GNU sparse file');
        return 'file';
      case 'directory':
        return 'directory';
      case 'symlink':
        return 'symlink';
      case 'link':
        return 'hardlink';
      case 'character-device':
      case 'block-device':
      case 'fifo':
        throw new MemberProblem('special-file', h.name, `a ${h.type}`);
      default:
        throw new MemberProblem('unsupported-type', h.name, h.type ? `type ${h.type}` : 'an unknown type flag');
    }
  }

  /** Puts a member in the tree: every parent is (or becomes) a directory of exactly that
   * spelling, and the path itself is new under its collision key. */
  private place(member: CheckedMember, kind: Exclude<NodeKind, 'implicit-dir'>): void {
    for (const dir of ancestors(member.path)) {
      const key = collisionKey(dir);
      const n = this.byKey.get(key);
      if (!n) {
        this.byKey.set(key, { path: dir, kind: 'implicit-dir', because: member.path });
        continue;
      }
      if (n.path !== dir) throw this.collision(member, dir, n.path);
      if (n.kind === 'file' || n.kind === 'symlink') {
        throw new MemberProblem('through-link', member.name, `${JSON.stringify(n.path)} is a ${n.kind === 'symlink' ? 'symlink' : 'file'}`);
      }
    }
    const key = collisionKey(member.path);
    const n = this.byKey.get(key);
    if (!n) {
      this.byKey.set(key, { path: member.path, kind, member });
      return;
    }
    if (n.path !== member.path) throw this.collision(member, member.path, n.path);
    if (n.kind === 'implicit-dir') {
      if (kind === 'dir') {
        n.kind = 'dir';
        n.member = member;
        return;
      }
      throw new MemberProblem('type-conflict', member.name, `a ${member.type} where ${JSON.stringify(n.because)} needs a directory`);
    }
    throw new MemberProblem('duplicate', member.name, `first as a ${n.kind === 'dir' ? 'directory' : n.kind}`);
  }

  private collision(member: CheckedMember, mine: string, other: string): MemberProblem {
    const rule = differsOnlyInUnicode(mine, other) ? 'unicode-collision' : 'case-collision';
    const detail = mine === member.path ? `and ${JSON.stringify(other)}` : `its directory ${JSON.stringify(mine)} and ${JSON.stringify(other)}`;
    return new MemberProblem(rule, member.name, detail);
  }

  private resolveInside(link: CheckedMember): void {
    const stack = parentOf(link.path) === '' ? [] : parentOf(link.path).split('/');
    const queue = (link.target as string).split('/');
    let hops = 0;
    let via = link.path;
    while (queue.length > 0) {
      const c = queue.shift() as string;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        if (stack.length === 0) {
          const through = via === link.path ? '' : ` through the symlink ${JSON.stringify(via)}`;
          throw new MemberProblem('link-escape', link.name, `target ${JSON.stringify(link.target)} resolves above the release directory${through}`);
        }
        stack.pop();
        continue;
      }
      stack.push(c);
      const n = this.byKey.get(collisionKey(stack.join('/')));
      if (n?.kind === 'symlink' && n.member) {
        if (++hops > this.limits.maxLinkHops) throw new MemberProblem('link-loop', link.name, `target ${JSON.stringify(link.target)}`);
        stack.pop();
        via = n.path;
        queue.unshift(...(n.member.target as string).split('/'));
      }
    }
  }

  private note(text: string): void {
    if (this.notes.length < MAX_NOTES) this.notes.push(text);
    else if (++this.suppressedNotes === 1) this.notes.push('(further notes of this kind omitted)');
  }
}
