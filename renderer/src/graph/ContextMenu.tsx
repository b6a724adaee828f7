// Right-click menu on a node: the same controls as its buttons, plus removal.
import { useEffect } from 'react';
import { dependencyClosure, dependentsClosure } from '../../../shared/graph/closures';
import { useController } from '../actions/controller-context';
import { useGraph, useOffline, useUi } from '../stores/stores';

export function ContextMenu() {
  const menu = useUi((s) => s.contextMenu);
  const setMenu = useUi((s) => s.setContextMenu);
  const openLogs = useUi((s) => s.openLogs);
  const deps = useGraph((s) => s.deps);
  const changed = useGraph((s) => (menu ? s.views.some((v) => v.name === menu.service && v.changed) : false));
  const controller = useController();
  const offline = useOffline();

  useEffect(() => {
    if (!menu) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent && e.key !== 'Escape') return;
      setMenu(null);
    };
    window.addEventListener('keydown', close);
    window.addEventListener('blur', close);
    return () => {
      window.removeEventListener('keydown', close);
      window.removeEventListener('blur', close);
    };
  }, [menu, setMenu]);

  if (!menu) return null;
  const name = menu.service;
  const withDeps = dependencyClosure(name, deps).filter((n) => n !== name);
  const dependents = dependentsClosure(name, deps);
  // Opening the log works without the core (the dock shows what arrived); the rest needs it.
  const item = (label: string, testid: string, run: () => void) => (
    <button type="button" role="menuitem" data-testid={`menu-${testid}`} title={label} disabled={offline && testid !== 'logs'} onClick={() => { setMenu(null); run(); }}>
      {label}
    </button>
  );
  return (
    <div className="context-menu" role="menu" style={{ left: menu.x, top: menu.y }} data-testid="context-menu">
      <div className="context-menu-title">{name}</div>
      {item(withDeps.length ? `Start with dependencies (${withDeps.join(', ')})` : 'Start', 'start', () => void controller.start([name]))}
      {item(dependents.length ? `Stop (and dependents: ${dependents.join(', ')})` : 'Stop', 'stop', () => void controller.stop([name]))}
      {item('Restart', 'restart', () => void controller.restart([name]))}
      {item('Open logs', 'logs', () => openLogs(name))}
      {changed && item('Apply saved changes (restart)', 'apply', () => void controller.doc.applySaved([name]))}
      <hr />
      {item('Rename…', 'rename', () => void controller.doc.rename(name))}
      {item('Delete service', 'remove', () => void controller.doc.remove([name]))}
    </div>
  );
}
