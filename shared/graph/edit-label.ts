// A short name for what a group of edits does, as an Edit menu shows it ("Undo Move store").
import type { ConfigEdit } from '../api.js';

function names(list: string[]): string {
  const unique = [...new Set(list)];
  return unique.length <= 2 ? unique.join(', ') : `${unique.length} services`;
}

export function editLabel(edits: readonly ConfigEdit[]): string {
  const of = <O extends ConfigEdit['op']>(op: O) => edits.filter((e): e is Extract<ConfigEdit, { op: O }> => e.op === op);
  const removed = of('removeService');
  if (removed.length > 0) return `Delete ${names(removed.map((e) => e.name))}`;
  const added = of('addService');
  if (added.length > 0) return `Add ${names(added.map((e) => String(e.service.name ?? 'service')))}`;
  const renamed = of('renameService');
  if (renamed.length === 1) return `Rename ${renamed[0].name} to ${renamed[0].to}`;
  if (renamed.length > 1) return 'Rename services';
  const fields = [...of('setField').map((e) => e.service), ...of('updateService').map((e) => e.name)];
  if (fields.length > 0) return `Edit ${names(fields)}`;
  const wired = of('addDependency');
  if (wired.length > 0) return wired.length === 1 ? `Connect ${wired[0].dependency} → ${wired[0].service}` : 'Connect services';
  const unwired = of('removeDependency');
  if (unwired.length > 0) return unwired.length === 1 ? `Disconnect ${unwired[0].dependency} → ${unwired[0].service}` : 'Disconnect services';
  const moved = of('setPosition');
  if (moved.length > 0) return `Move ${names(moved.map((e) => e.service))}`;
  return 'Edit';
}
