// Small inline SVG icons per target type (no icon font: it may be missing, and the CSP bars
// remote fonts).
import type { TargetType } from '../../../../../shared/config-types';

const PATHS: Record<TargetType, string> = {
  // a terminal prompt
  Process: 'M3 5l5 5-5 5M10 15h7',
  // a container box
  Docker: 'M3 7l7-4 7 4v8l-7 4-7-4zM3 7l7 4 7-4M10 11v8',
  // two linked hosts
  RemoteLan: 'M2 4h7v5H2zM11 11h7v5h-7zM5.5 9v4.5h5.5',
  // a padlock
  Wireguard: 'M5 9h10v8H5zM7 9V6a3 3 0 0 1 6 0v3',
};

export function KindIcon({ type }: { type: TargetType }) {
  return (
    <svg width="16" height="16" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={PATHS[type]} />
    </svg>
  );
}
