// A dependency in the topology view: an arrow from the dependent to its dependency (the arrowhead
// at the dependency, as in the graph view), labelled with the address and port the dependent was
// given; the reason (the resolver's note, or its warning) is the tooltip. A tunnel is drawn as
// one (dashed, labelled); an address that cannot work is marked, with the reason.
import { BaseEdge, EdgeLabelRenderer, getStraightPath, useStore as useFlowStore, type Edge, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import type { ResolvedEdge } from '../../../../shared/network-types';
import { addressOf, describeEdge } from '../../graph/edges/DependencyEdge';
import type { EdgeEnds } from './floating';

/** The first clause of a warning, for the label (the whole of it is the tooltip). */
export function shortReason(warning: string): string {
  return warning.split(/[;:]\s|,\s(?=which|so|but)/)[0];
}

/** Labels are mounted from this zoom up. */
export const LABELS_FROM_ZOOM = 0.45;

export interface AddressEdgeData extends Record<string, unknown> {
  resolved: ResolvedEdge;
  crossing: boolean;
  /** From the layout: the line between the cards' facing sides, and the label's spot. */
  ends: EdgeEnds;
  label: { x: number; y: number };
}
export type AddressEdgeType = Edge<AddressEdgeData, 'address'>;

function AddressEdgeImpl({ id, source, target, sourceX, sourceY, targetX, targetY, markerStart, data, selected }: EdgeProps<AddressEdgeType>) {
  // Straight, between the cards' facing sides (the layout's), so the label can sit on the line
  // where no card hides it; React Flow's handle points only until the layout's data is there.
  const ends = data?.ends ?? { sourceX, sourceY, targetX, targetY };
  const [path] = getStraightPath(ends);
  // Too small to read below this zoom: not mounted at all (one re-render per edge when crossing).
  const legible = useFlowStore((s) => s.transform[2] >= LABELS_FROM_ZOOM);
  const labelX = data?.label.x ?? (sourceX + targetX) / 2;
  const labelY = data?.label.y ?? (sourceY + targetY) / 2;
  const r = data?.resolved;
  const warn = Boolean(r?.warning);
  const tunnel = Boolean(r?.tunnel);
  const at = addressOf(r);
  const text = describeEdge(target, source, r);
  const cls = `address-edge${warn ? ' warn' : ''}${tunnel ? ' tunnel' : ''}${data?.crossing ? ' crossing' : ''}${selected ? ' selected' : ''}`;
  return (
    <>
      <title>{text}</title>
      <g className={cls}>
        <BaseEdge id={id} path={path} markerStart={markerStart} interactionWidth={14} />
      </g>
      {legible && (
      <EdgeLabelRenderer>
        <div
          className={`edge-label ${cls}`}
          data-testid={`edge-label-${id}`}
          data-warning={warn ? 'true' : undefined}
          data-tunnel={tunnel ? 'true' : undefined}
          title={text}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
        >
          <span className="edge-line">
            {warn && <span aria-hidden="true">⚠ </span>}
            {tunnel && <span className="edge-tunnel">tunnel </span>}
            <span className="edge-at">{at ?? (warn ? 'no route' : 'no address')}</span>
          </span>
          {warn && <span className="edge-reason">{shortReason(r!.warning!)}</span>}
        </div>
      </EdgeLabelRenderer>
      )}
    </>
  );
}

export const AddressEdge = memo(AddressEdgeImpl);
