// Why a package archive is refused: one rule per kind of danger, each with the member it was
// found at, so the message says which file of the package to fix and what is wrong with it.
import { HarnessError } from '../../../shared/errors.js';

export const ARCHIVE_RULES = {
  'not-an-archive': 'is not a tar archive (or a gzip-compressed one)',
  corrupt: 'is damaged (bad header, truncated data, or data where tar allows none)',
  'archive-too-large': 'is larger than the archive size limit',
  'unpacked-too-large': 'unpacks to more than the unpacked size limit (a gzip bomb?)',
  'too-many-entries': 'has more members than the entry limit',
  'too-deep': 'is nested deeper than the depth limit',
  'name-too-long': 'has a path or path component longer than the limit',
  'empty-name': 'has an empty name',
  'control-character': 'has a control character (newline, NUL, ...) in its name or link target',
  encoding: 'has a name that is not valid UTF-8',
  'absolute-path': 'has an absolute path (a leading "/" or a drive letter)',
  'dot-dot': 'has a ".." component, which would leave the release directory',
  backslash: 'has a backslash in its name or link target (a path separator on Windows)',
  'unsupported-type': 'is of a tar entry type Harness does not extract (sparse, multi-volume, vendor types)',
  'special-file': 'is a device, FIFO or socket; a package holds files, directories and links only',
  duplicate: 'appears twice (the second would silently replace the first)',
  'case-collision': 'differs from another member only in letter case (one file on a case-insensitive filesystem)',
  'unicode-collision': 'equals another member after Unicode normalization (one file on a normalizing filesystem)',
  'through-link': 'lies under a symlink or a file member (extracting it would write through the link)',
  'type-conflict': 'is a directory for some members and a file or link for others',
  'link-absolute': 'is a link with an absolute target',
  'link-escape': 'is a link whose target resolves outside the release directory',
  'link-loop': 'is a symlink whose target loops (or follows more links than the limit)',
  'hardlink-target': 'is a hardlink whose target is not an earlier regular file of the archive',
} as const;

export type ArchiveRule = keyof typeof ARCHIVE_RULES;

export interface ArchiveRejectionDetails {
  archive: string;
  rule: ArchiveRule;
  /** The member as written in the archive; absent for rules about the archive as a whole. */
  member?: string;
  /** What exactly was found, e.g. the link target or the other member's name. */
  detail?: string;
}

/** A package archive that must not be extracted. The message names the archive, the member and
 * the rule; `details` carries the same as data. */
export class ArchiveRejected extends HarnessError {
  declare readonly details: ArchiveRejectionDetails;

  constructor(details: ArchiveRejectionDetails) {
    const where = details.member === undefined ? '' : ` member ${JSON.stringify(details.member)}`;
    const extra = details.detail ? ` (${details.detail})` : '';
    super('BAD_REQUEST', `${details.archive}:${where} ${ARCHIVE_RULES[details.rule]}${extra} [rule ${details.rule}]`, details);
    this.name = 'ArchiveRejected';
  }

  get rule(): ArchiveRule {
    return this.details.rule;
  }

  get member(): string | undefined {
    return this.details.member;
  }
}

/** A rule broken by one member, before the archive's name is known to the code that found it. */
export class MemberProblem extends Error {
  constructor(readonly rule: ArchiveRule, readonly member: string | undefined, readonly detail?: string) {
    super(`${member ?? '(archive)'}: ${rule}${detail ? ` (${detail})` : ''}`);
  }

  toRejection(archive: string): ArchiveRejected {
    return new ArchiveRejected({ archive, rule: this.rule, ...(this.member !== undefined ? { member: this.member } : {}), ...(this.detail ? { detail: this.detail } : {}) });
  }
}
