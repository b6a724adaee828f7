// The log dock: one tab per opened service plus the merged "All" view, and a split of two panes.
// Resizable from its top edge and collapsible to a one-line bar; both remembered (ui store).
import { ALL_TAB, LAYOUT_LIMITS } from '../stores/ui-store';
import { useUi } from '../stores/stores';
import { Splitter } from '../panels/Splitter';
import { useTerminals } from './terminal-context';
import { LogPane } from './LogPane';

/** The canvas keeps at least this much height above an open dock. */
const CANVAS_MIN = 200;

export function LogDock() {
  const open = useUi((s) => s.dockOpen);
  const height = useUi((s) => s.dockHeight);
  const setHeight = useUi((s) => s.setDockHeight);
  const tabs = useUi((s) => s.tabs);
  const panes = useUi((s) => s.panes);
  const activePane = useUi((s) => s.activePane);
  const timestamps = useUi((s) => s.timestamps);
  const focusTab = useUi((s) => s.focusTab);
  const closeTab = useUi((s) => s.closeTab);
  const toggleSplit = useUi((s) => s.toggleSplit);
  const setDockOpen = useUi((s) => s.setDockOpen);
  const setTimestamps = useUi((s) => s.setTimestamps);
  const registry = useTerminals();

  if (!open) {
    return (
      <div className="log-dock collapsed" data-testid="log-dock-collapsed">
        <button type="button" data-testid="logs-open" aria-label="Show logs" title="Show the log dock" onClick={() => setDockOpen(true)}>▴ Logs</button>
      </div>
    );
  }
  const max = Math.max(LAYOUT_LIMITS.dockHeight.min, Math.min(LAYOUT_LIMITS.dockHeight.max, window.innerHeight - CANVAS_MIN));
  const shown = Math.min(height, max);
  return (
    <div className="log-dock" data-testid="log-dock" style={{ height: shown }}>
      <Splitter
        label="Resize the log dock"
        testid="log-dock-splitter"
        orientation="horizontal"
        value={shown}
        min={LAYOUT_LIMITS.dockHeight.min}
        max={max}
        grows={-1}
        onChange={setHeight}
        onToggle={() => setDockOpen(false)}
      />
      <div className="log-tabs" role="tablist" aria-label="Logs">
        {tabs.map((t) => (
          <div key={t} role="tab" aria-selected={panes[activePane] === t} tabIndex={0} title={t === ALL_TAB ? 'Every service, merged' : `The log of ${t}`} className={`log-tab${panes.includes(t) ? ' shown' : ''}${panes[activePane] === t ? ' active' : ''}`} data-testid={`log-tab-${t === ALL_TAB ? 'all' : t}`} onClick={() => focusTab(t)} onKeyDown={(e) => e.key === 'Enter' && focusTab(t)}>
            {t === ALL_TAB ? 'All' : t}
            {t !== ALL_TAB && (
              <button type="button" className="log-tab-close" aria-label={`Close the ${t} tab`} title={`Close the ${t} tab`} onClick={(e) => { e.stopPropagation(); closeTab(t); }}>×</button>
            )}
          </div>
        ))}
        <span className="spacer" />
        <label className="toggle" title="Show when each line arrived">
          <input
            type="checkbox"
            checked={timestamps}
            data-testid="log-timestamps"
            onChange={(e) => {
              setTimestamps(e.target.checked);
              registry.setTimestamps(e.target.checked);
            }}
          />
          timestamps
        </label>
        <button type="button" data-testid="log-split" title={panes[1] === null ? 'Show two logs side by side' : 'Show one log'} onClick={toggleSplit}>{panes[1] === null ? 'split' : 'unsplit'}</button>
        <button type="button" data-testid="logs-hide" aria-label="Hide logs" title="Hide the log dock" onClick={() => setDockOpen(false)}>▾</button>
      </div>
      <div className={`log-panes${panes[1] !== null ? ' split' : ''}`}>
        <LogPane pane={0} tab={panes[0]} />
        {panes[1] !== null && <LogPane pane={1} tab={panes[1]} />}
      </div>
    </div>
  );
}
