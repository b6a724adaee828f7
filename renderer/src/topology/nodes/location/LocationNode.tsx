// A location of the topology view: this machine, a Docker network, a LAN host or a WireGuard peer,
// with what is known about it in the header (addresses, subnet and gateway, the address it sees us
// at, its connection state). A host that cannot be reached is marked, with the reason.
import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { LocationNodeType } from './types';

const KIND_WORD = { local: 'This machine', docker: 'Docker network', lan: 'LAN host', wireguard: 'WireGuard peer' } as const;

function LocationNodeImpl({ data }: NodeProps<LocationNodeType>) {
  const g = data.group;
  const bad = g.state === 'lost' || g.state === 'reconnecting' || g.state === 'closed';
  return (
    <div className={`location-group kind-${g.kind}${bad ? ' unreachable' : ''}${g.state ? ` state-${g.state}` : ''}`} data-testid={`group-${g.id}`} data-kind={g.kind} data-state={g.state} role="group" aria-label={`${KIND_WORD[g.kind]} ${g.title}`}>
      <div className="location-head" title={g.detail}>
        <span className="location-kind">{KIND_WORD[g.kind]}</span>
        <span className="location-title">{g.title}</span>
        {g.lines.map((l, i) => (
          <span key={i} className="location-line" data-testid={`group-line-${g.id}`}>
            {l}
          </span>
        ))}
        {g.reason && (
          <span className={`location-reason${bad ? ' bad' : ''}`} data-testid={`group-reason-${g.id}`}>
            {bad ? '⚠ ' : ''}
            {g.reason}
          </span>
        )}
      </div>
    </div>
  );
}

export const LocationNode = memo(LocationNodeImpl);
