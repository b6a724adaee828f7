// The one error for a start request in which some services did not become ready: the API's
// `services.start` and the session's restart throw it. Its details are the whole report, so a
// client (`harness up -d`) can print each failure on its own line.
import { HarnessError } from '../../shared/errors.js';
import type { StartReport } from './session-types.js';

/** Throws UNAVAILABLE naming every service that failed and why; returns when none did. */
export function assertStarted(report: StartReport): void {
  const { failed } = report;
  if (failed.length === 0) return;
  const count = failed.length === 1 ? '1 service' : `${failed.length} services`;
  const why = failed.map((f) => `${f.service}: ${f.reason}`).join('; ');
  throw new HarnessError('UNAVAILABLE', `${count} failed to start: ${why}`, report);
}
