import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { ServiceCard } from '../shared/ServiceCard';
import { KindIcon } from '../shared/KindIcon';
import type { DockerNodeType } from './types';

function DockerNodeImpl({ data, selected }: NodeProps<DockerNodeType>) {
  return (
    <ServiceCard summary={data.summary} icon={<KindIcon type="Docker" />} kindLabel="Docker" selected={!!selected}>
      <span className="image-ref">{data.summary.detail ? `image ${data.summary.detail}` : 'no image yet: set one in the inspector'}</span>
    </ServiceCard>
  );
}

export const DockerNode = memo(DockerNodeImpl);
