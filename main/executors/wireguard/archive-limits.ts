// Bounds on what a package archive may hold. Every one is checked while the archive streams by,
// so a hostile archive (a gzip bomb, a million empty members, a path nested 10,000 deep) is
// refused after reading no more than the bound, never after filling memory or disk.

export interface ArchiveLimits {
  /** Size of the archive file as given (compressed). */
  maxArchiveBytes: number;
  /** Bytes out of the decompressor (tar headers, padding and data): the gzip-bomb bound. */
  maxUnpackedBytes: number;
  /** Members in the archive (pax and GNU long-name headers not counted). */
  maxEntries: number;
  /** Path components of one member, e.g. `a/b/c` is 3. */
  maxDepth: number;
  /** Bytes of one member's path (Linux PATH_MAX). */
  maxPathBytes: number;
  /** Bytes of one path component (NAME_MAX on every common filesystem). */
  maxComponentBytes: number;
  /** Bytes of a symlink or hardlink target. */
  maxLinkTargetBytes: number;
  /** Symlinks followed while resolving one link target (the kernel's ELOOP bound is 40). */
  maxLinkHops: number;
  /** The manifest is read into memory to be parsed. */
  maxManifestBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxArchiveBytes: 4 * 1024 ** 3,
  maxUnpackedBytes: 4 * 1024 ** 3,
  maxEntries: 100_000,
  maxDepth: 64,
  maxPathBytes: 4096,
  maxComponentBytes: 255,
  maxLinkTargetBytes: 4096,
  maxLinkHops: 40,
  maxManifestBytes: 64 * 1024,
});

export function archiveLimits(partial: Partial<ArchiveLimits> = {}): ArchiveLimits {
  return { ...DEFAULT_ARCHIVE_LIMITS, ...partial };
}
