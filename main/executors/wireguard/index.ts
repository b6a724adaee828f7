// The Wireguard target: archive checks, the canonical archive, the package format and its
// preparation, the PackageDeployer and the executor (docs/packages.md, docs/wireguard.md).
export { DEFAULT_ARCHIVE_LIMITS, archiveLimits, type ArchiveLimits } from './archive-limits.js';
export { ARCHIVE_RULES, ArchiveRejected, type ArchiveRule, type ArchiveRejectionDetails } from './archive-rejection.js';
export type { CheckedMember, MemberType } from './archive-tree.js';
export { MANIFEST_NAME, canonicalizeArchive, checkArchive, type CanonicalArchive, type CheckOptions, type CheckedArchive } from './archive-check.js';
export type { Compression, CanonicalWriterOptions, WrittenArchive } from './canonical-writer.js';
export {
  DEFAULT_INSTALL_ROOT,
  DEFAULT_KEEP_RELEASES,
  PACKAGE_FILES,
  PackageInvalid,
  checkPackageLayout,
  parseManifest,
  parseManifestFile,
  parseReleaseId,
  releaseId,
  releasePaths,
  releasesToPrune,
  type PackageLayout,
  type PackageManifest,
  type ReleasePaths,
} from './package-format.js';
export { DEFAULT_PACK_MTIME, buildPackage, packMtime, type BuildOptions } from './package-build.js';
export { preparePackage, type PrepareOptions, type PreparedPackage } from './package-prep.js';
export { WireguardExecutor, wireguardTarget, type WireguardExecutorOptions } from './wireguard-executor.js';
export { deployPackage, describeRestore, type ChosenRelease, type DeployRequest, type DeployResult } from './package-deployer.js';
export { ReleaseHost, parseHostState, type HostRelease, type HostReleaseState } from './release-host.js';
export { TunnelPublisher, type Published } from './tunnel-publisher.js';
export { DEPLOY_SCRIPT, DEPLOY_SCRIPTS } from './deploy-scripts.js';
