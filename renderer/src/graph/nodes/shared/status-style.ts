import type { ServiceStatus } from '../../../../../shared/service-state';

/** CSS class suffix per status; colours live in the stylesheet (both themes). */
export function statusClass(status: ServiceStatus | undefined): string {
  return `status-${status ?? 'stopped'}`;
}

export function isActive(status: ServiceStatus | undefined): boolean {
  return status === 'starting' || status === 'running' || status === 'healthy' || status === 'unhealthy' || status === 'unknown';
}
