import type { ServiceStatus } from '../../../../../shared/service-state';

/** What a node shows: the core's status, or `unknown` while the link to the core is down (or the
 * core says a service's host is lost). */
export type ShownStatus = ServiceStatus | 'unknown';

/** CSS class suffix per status; colours live in the stylesheet (both themes). */
export function statusClass(status: ShownStatus | undefined): string {
  return `status-${status ?? 'stopped'}`;
}

// `unknown` from the core (a lost remote host) means it most likely still runs: Stop stays on.
export function isActive(status: ShownStatus | undefined): boolean {
  return status === 'starting' || status === 'running' || status === 'healthy' || status === 'unhealthy' || status === 'unknown';
}

/** The status to draw: nothing the core said can be trusted while the link is down. */
export function shownStatus(status: ServiceStatus | undefined, offline: boolean): ShownStatus {
  return offline ? 'unknown' : (status ?? 'stopped');
}

/** The health line of a card: only a running instance has health (an ended one shows none). */
export function healthText(status: ShownStatus, health: { ok: boolean; message: string } | undefined, declared: string | undefined): string {
  if (status === 'unknown') return '♥ unknown';
  if (health && isActive(status)) return health.ok ? '♥ ok' : `♥ ${health.message}`;
  return declared ? `♥ ${declared}` : '♥ none';
}
