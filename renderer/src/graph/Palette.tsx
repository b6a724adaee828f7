// Drag a target type onto the canvas to add a service of that type.
import { TARGET_TYPES } from '../../../shared/config-types';
import { KindIcon } from './nodes/shared/KindIcon';

export const PALETTE_MIME = 'application/x-harness-target';

export function Palette() {
  return (
    <div className="palette" data-testid="palette" aria-label="Add a service">
      {TARGET_TYPES.map((t) => (
        <div
          key={t}
          className="palette-item"
          draggable
          data-testid={`palette-${t}`}
          onDragStart={(e) => {
            e.dataTransfer.setData(PALETTE_MIME, t);
            e.dataTransfer.effectAllowed = 'copy';
          }}
          title={`Drag onto the graph to add a ${t} service`}
        >
          <KindIcon type={t} /> {t}
        </div>
      ))}
    </div>
  );
}
