// A service in its location's group: name, live status, the address it is reached at from here,
// and its controls. Like the graph's cards it selects only its own service's run state, and its
// buttons act without selecting it; a click on the card selects it (shared with the graph view).
import { Handle, Position, useStore as useFlowStore, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { useController } from '../../../actions/controller-context';
import { KindIcon } from '../../../graph/nodes/shared/KindIcon';
import { NodeButton } from '../../../graph/nodes/shared/NodeButton';
import { isActive, shownStatus, statusClass } from '../../../graph/nodes/shared/status-style';
import { useOffline, useRun, useUi } from '../../../stores/stores';
import { renderCounts } from '../../../test-hooks';
import type { TopologyServiceNodeType } from './types';

/** Level of detail by zoom, as the graph's cards have it: below these a card is its name and
 * status, then a coloured block (a fitted stack of hundreds paints far less). */
export type TopologyLod = 'full' | 'compact' | 'block';
export const topologyLod = (zoom: number): TopologyLod => (zoom >= 0.5 ? 'full' : zoom >= 0.25 ? 'compact' : 'block');

function TopologyServiceNodeImpl({ data, selected }: NodeProps<TopologyServiceNodeType>) {
  const { name, type, location } = data;
  if (import.meta.env.MODE === 'test-hooks') renderCounts[name] = (renderCounts[name] ?? 0) + 1;
  const state = useRun((s) => s.states[name]);
  const offline = useOffline();
  const controller = useController();
  const openLogs = useUi((s) => s.openLogs);
  const status = shownStatus(state?.status, offline);
  // A string selector: panning re-renders nothing, crossing a threshold re-renders the cards.
  const lod = useFlowStore((s) => topologyLod(s.transform[2]));
  if (lod !== 'full') {
    return (
      <div className={`topo-service lod-${lod} ${statusClass(status)}${selected ? ' selected' : ''}`} data-testid={`topo-node-${name}`} data-status={status} title={`${name}: ${status}`}>
        <Handle type="target" position={Position.Left} isConnectable={false} />
        <span className="service-node-name">{name}</span>
        {lod === 'compact' && <span className={`status-pill ${statusClass(status)}`}>{status}</span>}
        <Handle type="source" position={Position.Right} isConnectable={false} />
      </div>
    );
  }
  const active = isActive(status);
  const ip = location.kind === 'docker' ? location.ip : undefined;
  const address = state?.address ?? ip;
  const ports = state?.ports?.length ? `:${state.ports.join(',')}` : '';
  return (
    <div className={`topo-service ${statusClass(status)}${selected ? ' selected' : ''}`} data-testid={`topo-node-${name}`} data-status={status}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="topo-service-head">
        <span className="service-node-icon" aria-hidden="true">{type ? <KindIcon type={type} /> : null}</span>
        <span className="service-node-name">{name}</span>
        <span className={`status-pill ${statusClass(status)}`} data-testid={`topo-status-${name}`}>{status}</span>
      </div>
      <div className="topo-service-foot">
        <code className="topo-address" title={address ? `reached from this machine at ${address}${ports}` : 'address known once it runs'}>
          {address ? `${address}${ports}` : ports ? `port ${ports.slice(1)}` : '—'}
        </code>
        {active ? (
          <NodeButton label={`Stop ${name}`} title={`Stop ${name} (and its dependents)`} testid={`topo-stop-${name}`} disabled={offline} onPress={() => void controller.stop([name])}>■</NodeButton>
        ) : (
          <NodeButton label={`Start ${name}`} title={`Start ${name} (with its dependencies)`} testid={`topo-start-${name}`} disabled={offline} onPress={() => void controller.start([name])}>▶</NodeButton>
        )}
        <NodeButton label={`Open the log of ${name}`} testid={`topo-logs-${name}`} className="logs-button" onPress={() => openLogs(name)}>logs</NodeButton>
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

export const TopologyServiceNode = memo(TopologyServiceNodeImpl);
