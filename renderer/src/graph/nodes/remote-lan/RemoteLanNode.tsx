import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { ServiceCard } from '../shared/ServiceCard';
import { KindIcon } from '../shared/KindIcon';
import type { RemoteLanNodeType } from './types';

function RemoteLanNodeImpl({ data, selected }: NodeProps<RemoteLanNodeType>) {
  return (
    <ServiceCard summary={data.summary} icon={<KindIcon type="RemoteLan" />} kindLabel="Remote (LAN)" selected={!!selected}>
      <span>ssh {data.summary.detail}</span>
    </ServiceCard>
  );
}

export const RemoteLanNode = memo(RemoteLanNodeImpl);
