// A button on a node card. Its click is its own: it never reaches React Flow's node wrapper, so
// pressing "logs" opens the logs without also selecting the node (and opening the inspector).
// `nodrag nokey`: pressing it never starts a drag, and the graph's letter keys leave it alone.
import type { ReactNode } from 'react';

interface Props {
  /** The accessible name ("Start api"); also the tooltip unless `title` says more. */
  label: string;
  title?: string;
  testid: string;
  disabled?: boolean;
  className?: string;
  onPress: () => void;
  children: ReactNode;
}

export function NodeButton({ label, title, testid, disabled, className, onPress, children }: Props) {
  return (
    <button
      type="button"
      className={`nodrag nokey${className ? ` ${className}` : ''}`}
      data-testid={testid}
      aria-label={label}
      title={title ?? label}
      disabled={disabled}
      onClick={(e) => {
        e.stopPropagation();
        onPress();
      }}
      onDoubleClick={(e) => e.stopPropagation()}
    >
      {children}
    </button>
  );
}
