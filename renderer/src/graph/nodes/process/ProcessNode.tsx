import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { ServiceCard } from '../shared/ServiceCard';
import { KindIcon } from '../shared/KindIcon';
import type { ProcessNodeType } from './types';

function ProcessNodeImpl({ data, selected }: NodeProps<ProcessNodeType>) {
  return (
    <ServiceCard summary={data.summary} icon={<KindIcon type="Process" />} kindLabel="Process" selected={!!selected}>
      <code>{data.summary.detail}</code>
    </ServiceCard>
  );
}

export const ProcessNode = memo(ProcessNodeImpl);
