// The log dock: one tab per opened service plus the merged "All" view, and a split of two panes.
import { ALL_TAB } from '../stores/ui-store';
import { useUi } from '../stores/stores';
import { useTerminals } from './terminal-context';
import { LogPane } from './LogPane';

export function LogDock() {
  const open = useUi((s) => s.dockOpen);
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
      <div className="log-dock collapsed">
        <button type="button" data-testid="logs-open" onClick={() => setDockOpen(true)}>▴ Logs</button>
      </div>
    );
  }
  return (
    <div className="log-dock" data-testid="log-dock">
      <div className="log-tabs" role="tablist">
        {tabs.map((t) => (
          <div key={t} role="tab" aria-selected={panes[activePane] === t} className={`log-tab${panes.includes(t) ? ' shown' : ''}${panes[activePane] === t ? ' active' : ''}`} data-testid={`log-tab-${t === ALL_TAB ? 'all' : t}`} onClick={() => focusTab(t)}>
            {t === ALL_TAB ? 'All' : t}
            {t !== ALL_TAB && (
              <button type="button" className="log-tab-close" title="Close tab" onClick={(e) => { e.stopPropagation(); closeTab(t); }}>×</button>
            )}
          </div>
        ))}
        <span className="spacer" />
        <label className="toggle">
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
        <button type="button" data-testid="log-split" onClick={toggleSplit}>{panes[1] === null ? 'split' : 'unsplit'}</button>
        <button type="button" title="Hide logs" onClick={() => setDockOpen(false)}>▾</button>
      </div>
      <div className={`log-panes${panes[1] !== null ? ' split' : ''}`}>
        <LogPane pane={0} tab={panes[0]} />
        {panes[1] !== null && <LogPane pane={1} tab={panes[1]} />}
      </div>
    </div>
  );
}
