// The four target types, in the canvas rail: drag one onto the graph to add a service of that type
// where it is dropped, or click it to add one in the middle of the view.
import { TARGET_TYPES, type TargetType } from '../../../shared/config-types';
import { KindIcon } from './nodes/shared/KindIcon';

export const PALETTE_MIME = 'application/x-harness-target';

const SHORT: Record<TargetType, string> = { Process: 'Process', Docker: 'Docker', RemoteLan: 'LAN', Wireguard: 'WG' };
const LONG: Record<TargetType, string> = { Process: 'a local process', Docker: 'a Docker container', RemoteLan: 'a program on a LAN host', Wireguard: 'a package on a WireGuard peer' };

export function Palette({ onAdd, disabled }: { onAdd: (type: TargetType) => void; disabled?: boolean }) {
  return (
    <div className="palette" data-testid="palette" role="group" aria-label="Add a service">
      {TARGET_TYPES.map((t) => (
        <button
          type="button"
          key={t}
          className="palette-item"
          draggable={!disabled}
          disabled={disabled}
          data-testid={`palette-${t}`}
          aria-label={`Add a ${t} service`}
          title={`Add a ${t} service (${LONG[t]}): drag it onto the graph, or click to add it in the middle`}
          onDragStart={(e) => {
            e.dataTransfer.setData(PALETTE_MIME, t);
            e.dataTransfer.effectAllowed = 'copy';
          }}
          onClick={() => onAdd(t)}
        >
          <KindIcon type={t} />
          <span>{SHORT[t]}</span>
        </button>
      ))}
    </div>
  );
}
