// The body every node kind shares: name, kind icon, live status, and the per-node controls.
// It subscribes to exactly one service's run state, so a status event re-renders one card, and
// renders fewer elements when zoomed out (a thousand full cards cost more to mount and paint
// than their few pixels show).
import { Handle, Position } from '@xyflow/react';
import { memo, type ReactNode } from 'react';
import type { ServiceNodeSummary } from '../../../../../shared/graph/graph-model';
import { useController } from '../../../actions/controller-context';
import { useOffline, useRun, useUi } from '../../../stores/stores';
import { renderCounts } from '../../../test-hooks';
import { NodeButton } from './NodeButton';
import { healthText, isActive, shownStatus, statusClass } from './status-style';
import { useLod } from './use-lod';

interface Props {
  summary: ServiceNodeSummary;
  icon: ReactNode;
  kindLabel: string;
  selected: boolean;
  /** Kind-specific extra line (image, host…). */
  children?: ReactNode;
}

function ServiceCardImpl({ summary, icon, kindLabel, selected, children }: Props) {
  const name = summary.name;
  if (import.meta.env.MODE === 'test-hooks') renderCounts[name] = (renderCounts[name] ?? 0) + 1;
  const state = useRun((s) => s.states[name]);
  // While the link is down every node shows `unknown` and its controls are off (one re-render of
  // each mounted node when the link drops and when it comes back).
  const offline = useOffline();
  const controller = useController();
  const openLogs = useUi((s) => s.openLogs);
  const lod = useLod();
  const status = shownStatus(state?.status, offline);
  if (lod !== 'full') {
    return (
      <div className={`service-node lod-${lod} ${statusClass(status)}${selected ? ' selected' : ''}${summary.errors ? ' has-errors' : ''}`} data-testid={`node-${name}`} data-status={status} data-errors={summary.errors ?? 0} title={`${name}: ${status}`}>
        <Handle type="target" position={Position.Left} />
        {lod === 'compact' ? (
          <div className="service-node-head">
            <span className="service-node-icon" aria-label={kindLabel}>{icon}</span>
            <span className="service-node-name">{name}</span>
            {summary.errors ? <span className="problem-marker">⚠ {summary.errors}</span> : null}
            <span className={`status-pill ${statusClass(status)}`}>{status}</span>
          </div>
        ) : (
          <span className="service-node-name">{name}</span>
        )}
        <Handle type="source" position={Position.Right} />
      </div>
    );
  }
  const active = isActive(status);
  const ports = state?.ports?.length ? state.ports.map(String) : summary.ports;
  const address = state?.address;
  const marks = `${summary.errors ? ' has-errors' : ''}${summary.invalid ? ' invalid' : ''}${summary.changed ? ' changed' : ''}`;
  return (
    <div className={`service-node ${statusClass(status)}${selected ? ' selected' : ''}${marks}`} data-testid={`node-${name}`} data-status={status} data-errors={summary.errors ?? 0} data-changed={summary.changed ? 'true' : undefined}>
      <Handle type="target" position={Position.Left} />
      <div className="service-node-head">
        <span className="service-node-icon" title={kindLabel} aria-label={kindLabel}>{icon}</span>
        <span className="service-node-name">{name}</span>
        {summary.errors ? (
          <span className="problem-marker" data-testid={`node-problems-${name}`} title={`${summary.errors} problem${summary.errors === 1 ? '' : 's'}: select the node to see them at their fields`}>
            ⚠ {summary.errors}
          </span>
        ) : null}
        <span className={`status-pill ${statusClass(status)}`} data-testid={`node-status-${name}`}>{status}</span>
      </div>
      {summary.changed && (
        <div className="service-node-changed nodrag nopan" data-testid={`node-changed-${name}`}>
          <span>saved changes not applied</span>
          <NodeButton label={`Apply the saved changes to ${name}`} title={`Restart ${name} with the saved config`} testid={`node-apply-${name}`} disabled={offline} onPress={() => void controller.doc.applySaved([name])}>
            Apply
          </NodeButton>
        </div>
      )}
      <div className="service-node-detail" title={summary.detail}>{children ?? summary.detail}</div>
      <div className="service-node-facts">
        <span title="health">{healthText(status, state?.health, summary.health)}</span>
        {(address || ports.length > 0) && <span title="address / ports">{address ? `${address}` : ''}{ports.length > 0 ? `:${ports.join(',')}` : ''}</span>}
        <span title="restarts" data-testid={`node-restarts-${name}`}>↻{state?.restarts ?? 0}</span>
        {state?.exitCode !== undefined && state.exitCode !== null && <span title="last exit code">exit {state.exitCode}</span>}
        {state?.signal && <span title="last signal">{state.signal}</span>}
      </div>
      {state?.error && !offline && <div className="service-node-error" data-testid={`node-error-${name}`} title={state.error}>{state.error}</div>}
      <div className="service-node-actions nodrag nopan">
        <NodeButton label={`Start ${name}`} title={`Start ${name} (with its dependencies)`} testid={`node-start-${name}`} disabled={offline || active} onPress={() => void controller.start([name])}>▶</NodeButton>
        <NodeButton label={`Stop ${name}`} title={`Stop ${name} (and its dependents)`} testid={`node-stop-${name}`} disabled={offline || !active} onPress={() => void controller.stop([name])}>■</NodeButton>
        <NodeButton label={`Restart ${name}`} testid={`node-restart-${name}`} disabled={offline} onPress={() => void controller.restart([name])}>↻</NodeButton>
        <NodeButton label={`Open the log of ${name}`} testid={`node-logs-${name}`} className="logs-button" onPress={() => openLogs(name)}>logs</NodeButton>
      </div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

export const ServiceCard = memo(ServiceCardImpl);
