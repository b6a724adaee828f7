// Where the inspector lives beside the canvas: resizable from its left edge, collapsible to a
// narrow strip (the selection stays), its width and state remembered (ui store). The canvas
// re-fits when either changes.
import { useSoleSelection, useUi } from '../../stores/stores';
import { LAYOUT_LIMITS } from '../../stores/ui-store';
import { Splitter } from '../Splitter';
import { Inspector } from './Inspector';

/** The canvas keeps at least this much width beside the inspector. */
const CANVAS_MIN = 380;

export function InspectorDock() {
  const selected = useSoleSelection();
  const width = useUi((s) => s.inspectorWidth);
  const collapsed = useUi((s) => s.inspectorCollapsed);
  const setWidth = useUi((s) => s.setInspectorWidth);
  const setCollapsed = useUi((s) => s.setInspectorCollapsed);
  if (!selected) return null;
  if (collapsed) {
    return (
      <div className="inspector-dock collapsed" data-testid="inspector-dock" data-collapsed="true">
        <button type="button" className="inspector-expand" data-testid="inspector-expand" aria-label={`Show the inspector (${selected})`} title={`Show the inspector for ${selected}`} onClick={() => setCollapsed(false)}>
          <span aria-hidden="true">‹</span>
          <span className="inspector-expand-name">{selected}</span>
        </button>
      </div>
    );
  }
  const max = Math.max(LAYOUT_LIMITS.inspectorWidth.min, Math.min(LAYOUT_LIMITS.inspectorWidth.max, window.innerWidth - CANVAS_MIN));
  const shown = Math.min(width, max);
  return (
    <div className="inspector-dock" data-testid="inspector-dock" data-collapsed="false" style={{ width: shown }}>
      <Splitter
        label="Resize the inspector"
        testid="inspector-splitter"
        orientation="vertical"
        value={shown}
        min={LAYOUT_LIMITS.inspectorWidth.min}
        max={max}
        grows={-1}
        onChange={setWidth}
        onToggle={() => setCollapsed(true)}
      />
      <div className="inspector-dock-head">
        <span className="muted">Inspector</span>
        <button type="button" data-testid="inspector-collapse" aria-label="Collapse the inspector" title="Collapse the inspector (the selection stays)" onClick={() => setCollapsed(true)}>
          »
        </button>
      </div>
      <Inspector />
    </div>
  );
}
