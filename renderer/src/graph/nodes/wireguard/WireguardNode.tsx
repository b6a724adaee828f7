import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { ServiceCard } from '../shared/ServiceCard';
import { KindIcon } from '../shared/KindIcon';
import type { WireguardNodeType } from './types';

function WireguardNodeImpl({ data, selected }: NodeProps<WireguardNodeType>) {
  return (
    <ServiceCard summary={data.summary} icon={<KindIcon type="Wireguard" />} kindLabel="WireGuard host" selected={!!selected}>
      <span>wg {data.summary.detail}</span>
    </ServiceCard>
  );
}

export const WireguardNode = memo(WireguardNodeImpl);
