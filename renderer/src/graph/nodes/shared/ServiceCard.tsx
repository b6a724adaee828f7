// The body every node kind shares: name, kind icon, live status, and the per-node controls.
// It subscribes to exactly one service's run state, so a status event re-renders one card, and
// renders fewer elements when zoomed out (a thousand full cards cost more to mount and paint
// than their few pixels show).
import { Handle, Position } from '@xyflow/react';
import { memo, type ReactNode } from 'react';
import type { ServiceNodeSummary } from '../../../../../shared/graph/graph-model';
import { useController } from '../../../actions/controller-context';
import { useRun, useUi } from '../../../stores/stores';
import { renderCounts } from '../../../test-hooks';
import { isActive, statusClass } from './status-style';
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
  const controller = useController();
  const openLogs = useUi((s) => s.openLogs);
  const lod = useLod();
  const status = state?.status ?? 'stopped';
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
          <button type="button" className="nodrag nokey" data-testid={`node-apply-${name}`} title="Restart with the saved config" onClick={() => void controller.doc.applySaved([name])}>
            Apply
          </button>
        </div>
      )}
      <div className="service-node-detail" title={summary.detail}>{children ?? summary.detail}</div>
      <div className="service-node-facts">
        <span title="health">{state?.health ? (state.health.ok ? '♥ ok' : `♥ ${state.health.message}`) : summary.health ? `♥ ${summary.health}` : '♥ none'}</span>
        {(address || ports.length > 0) && <span title="address / ports">{address ? `${address}` : ''}{ports.length > 0 ? `:${ports.join(',')}` : ''}</span>}
        <span title="restarts" data-testid={`node-restarts-${name}`}>↻{state?.restarts ?? 0}</span>
        {state?.exitCode !== undefined && state.exitCode !== null && <span title="last exit code">exit {state.exitCode}</span>}
        {state?.signal && <span title="last signal">{state.signal}</span>}
      </div>
      {state?.error && <div className="service-node-error" data-testid={`node-error-${name}`} title={state.error}>{state.error}</div>}
      <div className="service-node-actions nodrag nopan">
        <button type="button" className="nodrag nokey" data-testid={`node-start-${name}`} disabled={active} title="Start (with dependencies)" onClick={() => void controller.start([name])}>▶</button>
        <button type="button" className="nodrag nokey" data-testid={`node-stop-${name}`} disabled={!active} title="Stop (and dependents)" onClick={() => void controller.stop([name])}>■</button>
        <button type="button" className="nodrag nokey" data-testid={`node-restart-${name}`} title="Restart" onClick={() => void controller.restart([name])}>↻</button>
        <button type="button" className="nodrag nokey logs-button" data-testid={`node-logs-${name}`} title="Open logs" onClick={() => openLogs(name)}>logs</button>
      </div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

export const ServiceCard = memo(ServiceCardImpl);
