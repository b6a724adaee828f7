// A location of the topology view: this machine, a Docker network, a LAN host or a WireGuard peer.
// The frame (under the arrows) and its header (above them, opaque, so an arrow entering the group
// passes under the text) are two nodes. The header says what is known about the place (addresses,
// subnet and gateway, the address it sees us at, its connection state); a host that cannot be
// reached is marked, with the reason.
import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { LocationGroup } from '../../topology-layout';
import type { LocationHeadNodeType, LocationNodeType } from './types';

const KIND_WORD = { local: 'This machine', docker: 'Docker network', lan: 'LAN host', wireguard: 'WireGuard peer' } as const;

function isBad(g: LocationGroup): boolean {
  return g.state === 'lost' || g.state === 'reconnecting' || g.state === 'closed';
}

function LocationNodeImpl({ data }: NodeProps<LocationNodeType>) {
  const g = data.group;
  return (
    <div className={`location-group kind-${g.kind}${isBad(g) ? ' unreachable' : ''}${g.state ? ` state-${g.state}` : ''}`} data-testid={`group-${g.id}`} data-kind={g.kind} data-state={g.state} role="group" aria-label={`${KIND_WORD[g.kind]} ${g.title}`} />
  );
}

function LocationHeadImpl({ data }: NodeProps<LocationHeadNodeType>) {
  const g = data.group;
  const bad = isBad(g);
  return (
    <div className={`location-head kind-${g.kind}`} data-testid={`group-head-${g.id}`} title={g.detail}>
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
  );
}

export const LocationNode = memo(LocationNodeImpl);
export const LocationHead = memo(LocationHeadImpl);
