// One pane of the log dock: hosts a terminal from the registry (moved in, not recreated) and its
// toolbar. Nothing here holds log text.
import { useEffect, useRef, useState } from 'react';
import { ALL_TAB } from '../stores/ui-store';
import { useUi } from '../stores/stores';
import { useTerminals } from './terminal-context';

interface Props {
  pane: 0 | 1;
  tab: string;
}

export function LogPane({ pane, tab }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const registry = useTerminals();
  const setActivePane = useUi((s) => s.setActivePane);
  const active = useUi((s) => s.activePane === pane);
  const [following, setFollowing] = useState(true);
  const [query, setQuery] = useState('');

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const t = registry.get(tab);
    t.attach(el);
    setFollowing(t.isFollowing);
    return () => t.detach(el);
  }, [registry, tab]);

  const term = () => registry.get(tab);
  const label = tab === ALL_TAB ? 'all' : tab;

  const copy = async () => {
    const t = term();
    const text = t.selection() ?? t.text();
    await navigator.clipboard.writeText(text).catch(() => undefined);
  };

  const save = () => {
    const blob = new Blob([term().text()], { type: 'text/plain' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${label}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };

  return (
    <div className={`log-pane${active ? ' active' : ''}`} data-testid={`log-pane-${pane}`} data-tab={tab} onMouseDown={() => setActivePane(pane)}>
      <div className="log-pane-toolbar">
        <span className="log-pane-title">{label}</span>
        <button
          type="button"
          data-testid={`log-follow-${pane}`}
          aria-pressed={following}
          title={following ? 'Pause (stop following)' : 'Follow'}
          onClick={() => {
            term().setFollowing(!following);
            setFollowing(!following);
          }}
        >
          {following ? 'pause' : 'follow'}
        </button>
        <input
          className="nokey"
          type="search"
          placeholder="search"
          aria-label={`Search the log of ${label}`}
          title="Search (Enter: next, Shift+Enter: previous)"
          value={query}
          data-testid={`log-search-${pane}`}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              if (e.shiftKey) term().findPrevious(query);
              else term().findNext(query);
            }
          }}
        />
        <button type="button" aria-label="Find previous" title="Find previous" onClick={() => term().findPrevious(query)}>↑</button>
        <button type="button" aria-label="Find next" title="Find next" onClick={() => term().findNext(query)}>↓</button>
        <button type="button" data-testid={`log-clear-${pane}`} title="Clear this view (the history stays in the core)" onClick={() => term().clear()}>clear</button>
        <button type="button" title="Copy the selection, or everything shown" onClick={() => void copy()}>copy</button>
        <button type="button" title="Save what is shown to a file" onClick={save}>save</button>
      </div>
      <div className="log-pane-host" ref={host} />
    </div>
  );
}
