import type { ServiceStatus } from '../../../../../shared/service-state';

/** CSS class suffix per status; colours live in the stylesheet (both themes). */
export function statusClass(status: ServiceStatus | undefined): string {
  return `status-${status ?? 'stopped'}`;
}

export function isActive(status: ServiceStatus | undefined): boolean {
  return status === 'starting' || status === 'running' || status === 'healthy' || status === 'unhealthy';
}

/** Render counts per node, read by the graph benchmark to prove only changed nodes re-render. */
export const renderCounts: Record<string, number> = {};
/** The renderCounts key of the graph view itself (not a valid service name). */
export const VIEW_RENDERS = '(graph-view)';
