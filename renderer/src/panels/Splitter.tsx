// A drag handle between two panels: pointer drag or arrow keys resize, double-click or Enter
// collapses. A `separator` with its value, so assistive tech and the tests find it by role.
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

interface Props {
  /** The accessible name, e.g. "Resize the log dock". */
  label: string;
  testid: string;
  /** 'horizontal': a bar between panels stacked vertically (it changes a height). */
  orientation: 'horizontal' | 'vertical';
  value: number;
  min: number;
  max: number;
  /** +1 when dragging right/down makes the panel larger, -1 when left/up does. */
  grows: 1 | -1;
  onChange(px: number): void;
  onToggle?(): void;
}

const KEY_STEP = 16;

export function Splitter({ label, testid, orientation, value, min, max, grows, onChange, onToggle }: Props) {
  const drag = useRef<{ start: number; value: number; id: number } | null>(null);
  const clamp = (v: number) => Math.round(Math.min(max, Math.max(min, v)));
  const coord = (e: PointerEvent) => (orientation === 'horizontal' ? e.clientY : e.clientX);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { start: coord(e), value, id: e.pointerId };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    onChange(clamp(d.value + grows * (coord(e) - d.start)));
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    if (drag.current?.id !== e.pointerId) return;
    drag.current = null;
    e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const larger = orientation === 'horizontal' ? (grows === 1 ? 'ArrowDown' : 'ArrowUp') : grows === 1 ? 'ArrowRight' : 'ArrowLeft';
    const smaller = orientation === 'horizontal' ? (grows === 1 ? 'ArrowUp' : 'ArrowDown') : grows === 1 ? 'ArrowLeft' : 'ArrowRight';
    if (e.key === larger) onChange(clamp(value + KEY_STEP));
    else if (e.key === smaller) onChange(clamp(value - KEY_STEP));
    else if (e.key === 'Enter' && onToggle) onToggle();
    else return;
    e.preventDefault();
  };

  return (
    <div
      className={`splitter splitter-${orientation}`}
      role="separator"
      aria-orientation={orientation}
      aria-label={label}
      title={`${label}: drag or use the arrow keys${onToggle ? '; double-click to collapse' : ''}`}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      data-testid={testid}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onDoubleClick={onToggle}
      onKeyDown={onKeyDown}
    />
  );
}
