// The tools of a canvas, in a column beside it rather than over it, so they never cover a node:
// zoom, fit, and what the view adds (the graph: the palette, auto layout, the minimap switch).
import { useReactFlow } from '@xyflow/react';
import type { ReactNode } from 'react';

export function RailButton({ label, title, testid, pressed, disabled, onClick, children }: { label: string; title?: string; testid: string; pressed?: boolean; disabled?: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <button type="button" className={`rail-button${pressed ? ' active' : ''}`} data-testid={testid} aria-label={label} title={title ?? label} aria-pressed={pressed} disabled={disabled} onClick={onClick}>
      {children}
    </button>
  );
}

export function CanvasRail({ onFit, children, after }: { onFit: () => void; children?: ReactNode; after?: ReactNode }) {
  const { zoomIn, zoomOut } = useReactFlow();
  return (
    <nav className="canvas-rail" aria-label="Canvas tools" data-testid="canvas-rail">
      {children}
      <RailButton label="Zoom in" testid="zoom-in" onClick={() => void zoomIn({ duration: 150 })}>
        +
      </RailButton>
      <RailButton label="Zoom out" testid="zoom-out" onClick={() => void zoomOut({ duration: 150 })}>
        −
      </RailButton>
      <RailButton label="Fit view" title="Fit view (F)" testid="fit-view" onClick={onFit}>
        ⤢
      </RailButton>
      {after}
    </nav>
  );
}
