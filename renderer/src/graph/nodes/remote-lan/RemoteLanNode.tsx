import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { useRun } from '../../../stores/stores';
import { ServiceCard } from '../shared/ServiceCard';
import { KindIcon } from '../shared/KindIcon';
import type { RemoteLanNodeType } from './types';

/** The host, the login user and, while an instance runs, the state of the host's connection. */
function RemoteLanNodeImpl({ data, selected }: NodeProps<RemoteLanNodeType>) {
  const s = data.summary;
  const remote = useRun((st) => st.states[s.name]?.remote);
  const login = s.remote ? `${s.remote.user}@${s.remote.host}${s.remote.port === 22 ? '' : `:${s.remote.port}`}` : s.detail;
  const connection = remote?.connection;
  return (
    <ServiceCard summary={s} icon={<KindIcon type="RemoteLan" />} kindLabel="Remote (LAN)" selected={!!selected}>
      <span className="remote-login" data-testid={`node-host-${s.name}`} title={s.detail}>ssh {login}</span>
      {connection && (
        <span className={`conn-state conn-${connection}`} data-testid={`node-connection-${s.name}`} title={remote?.reason ?? connection}>
          {connection}
        </span>
      )}
    </ServiceCard>
  );
}

export const RemoteLanNode = memo(RemoteLanNodeImpl);
