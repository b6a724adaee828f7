import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { useRun } from '../../../stores/stores';
import { ServiceCard } from '../shared/ServiceCard';
import { KindIcon } from '../shared/KindIcon';
import type { WireguardNodeType } from './types';

function WireguardNodeImpl({ data, selected }: NodeProps<WireguardNodeType>) {
  const transfer = useRun((s) => s.transfers[data.summary.name]);
  const pct = transfer ? Math.min(100, Math.round((100 * transfer.current) / transfer.total)) : 0;
  return (
    <ServiceCard summary={data.summary} icon={<KindIcon type="Wireguard" />} kindLabel="WireGuard host" selected={!!selected}>
      <span>wg {data.summary.detail}</span>
      {transfer && (
        <span className="transfer-bar" role="progressbar" aria-label="package transfer" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100} title={`sending the package: ${pct}%`}>
          <span className="transfer-bar-fill" style={{ width: `${pct}%` }} />
        </span>
      )}
    </ServiceCard>
  );
}

export const WireguardNode = memo(WireguardNodeImpl);
