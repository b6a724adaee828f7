// A dependency edge of the graph view: a bezier from the dependency to its dependent with the
// arrowhead at the dependency (the dependent connects to it). Hovering or selecting it shows the
// address the dependent was given, as the topology resolved it; a warning (an address that may
// not work) marks the edge and is its tooltip.
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo, useState } from 'react';
import type { ResolvedEdge } from '../../../../shared/network-types';
import { useNetwork } from '../../stores/stores';

export function addressOf(e: ResolvedEdge | undefined): string | null {
  if (!e?.address) return null;
  return e.port !== undefined ? `${e.address}:${e.port}` : e.address;
}

const TUNNEL_WORDS: Record<NonNullable<ResolvedEdge['tunnel']>['kind'], string> = {
  'remote-forward': 'an SSH reverse tunnel',
  'local-forward': 'an SSH tunnel',
  publish: 'a listener on the WireGuard address',
};

/** "api reaches store at 127.0.0.1:17101 (why)" */
export function describeEdge(dependent: string, dependency: string, e: ResolvedEdge | undefined): string {
  const at = addressOf(e);
  const head = at ? `${dependent} reaches ${dependency} at ${at}` : `${dependent} depends on ${dependency}`;
  const why = e?.warning ?? e?.note ?? e?.tunnel?.reason;
  const t = e?.tunnel;
  const through = t ? ` (through ${TUNNEL_WORDS[t.kind]} over ${t.via}, ${t.state})` : '';
  return `${head}${through}${why ? `: ${why}` : ''}`;
}

function DependencyEdgeImpl({ id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerStart, markerEnd, selected }: EdgeProps) {
  const resolved = useNetwork((s) => s.edges.get(id));
  const [hover, setHover] = useState(false);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const at = addressOf(resolved);
  const warn = Boolean(resolved?.warning);
  return (
    <>
      <title>{describeEdge(target, source, resolved)}</title>
      <g className={`dependency-edge${warn ? ' warn' : ''}`} onMouseEnter={() => setHover(true)} onMouseLeave={() => setHover(false)}>
        <BaseEdge id={id} path={path} markerStart={markerStart} markerEnd={markerEnd} interactionWidth={18} />
      </g>
      {(hover || selected) && (at || warn) && (
        // Just above the line and deaf to the pointer: under the pointer it would end the hover.
        <EdgeLabelRenderer>
          <div className={`edge-address${warn ? ' warn' : ''}`} data-testid={`edge-address-${id}`} style={{ transform: `translate(-50%, -140%) translate(${labelX}px, ${labelY}px)` }}>
            {warn ? '⚠ ' : ''}
            {at ?? 'no address'}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const DependencyEdge = memo(DependencyEdgeImpl);

/** Module scope: React Flow must get the same object on every render. */
export const edgeTypes = { dependency: DependencyEdge };
