// The environment markers every local process Harness starts carries, so that survivors of a
// killed supervisor are found by what they are, not only by what was written down in time (see
// docs/process-lifecycle.md). Children inherit them, whatever group or session they move to.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';

export const MARKER_PROJECT = 'HARNESS_PROJECT';
/** The project's state directory name: unique per services.yaml, unlike the project name. */
export const MARKER_PROJECT_ID = 'HARNESS_PROJECT_ID';
export const MARKER_SERVICE = 'HARNESS_SERVICE';
/** Which supervisor process started it: recovery leaves its own supervisor's processes alone. */
export const MARKER_SUPERVISOR = 'HARNESS_SUPERVISOR';
/** Set (to `user@host:port`) on services started on a remote host. Local recovery leaves them to
 * the remote executor's, also when the "remote" host is this machine or shares its /proc. */
export const MARKER_REMOTE = 'HARNESS_REMOTE';

let ownId: string | undefined;

/** This process's supervisor id, made once. */
export function supervisorId(): string {
  return (ownId ??= `${process.pid}-${randomBytes(4).toString('hex')}`);
}

export function projectIdOf(stateDir: string): string {
  return basename(stateDir);
}

/** A remote service's markers: the local ones plus where it was started. */
export function remoteMarkerEnv(project: string, stateDir: string, service: string, hostKey: string): Record<string, string> {
  return { ...markerEnv(project, stateDir, service), [MARKER_REMOTE]: hostKey };
}

export function markerEnv(project: string, stateDir: string, service: string): Record<string, string> {
  return {
    [MARKER_PROJECT]: project,
    [MARKER_PROJECT_ID]: projectIdOf(stateDir),
    [MARKER_SERVICE]: service,
    [MARKER_SUPERVISOR]: supervisorId(),
  };
}
