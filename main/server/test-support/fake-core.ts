// A dispatcher over a tiny in-memory "core" for transport tests only: the transport is what is
// under test here; the real core is exercised by the contract suite and the e2e specs.
import { ApiDispatcher, type ApiEventListener } from '../../api/dispatcher.js';
import type { ProjectSnapshot } from '../../../shared/api.js';
import type { ApiEventName, ApiEvents } from '../../../shared/events.js';
import { HarnessError } from '../../../shared/errors.js';

export interface FakeCore {
  dispatcher: ApiDispatcher;
  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void;
  calls: Array<{ method: string; params: unknown }>;
}

export function createFakeCore(): FakeCore {
  const listeners = new Set<ApiEventListener>();
  const calls: FakeCore['calls'] = [];
  const snapshot = (): ProjectSnapshot => ({ file: null, project: null, dirty: false, services: [], problems: [], seq: 0 });
  const record = <T>(method: string, result: T) => (params: unknown): T => {
    calls.push({ method, params });
    return result;
  };
  const dispatcher = new ApiDispatcher(
    {
      'project.snapshot': record('project.snapshot', snapshot()),
      'project.open': () => {
        throw new HarnessError('NOT_FOUND', 'no such file');
      },
      'project.create': record('project.create', snapshot()),
      'project.reload': record('project.reload', snapshot()),
      'project.edit': record('project.edit', snapshot()),
      'project.save': record('project.save', { file: '/tmp/x.yaml' }),
      'project.import': record('project.import', { file: '/tmp/x.yaml', losses: [] }),
      'project.undo': record('project.undo', snapshot()),
      'project.redo': record('project.redo', snapshot()),
      'project.revert': record('project.revert', snapshot()),
      'project.setText': record('project.setText', snapshot()),
      'project.source': record('project.source', { text: null, problems: [] }),
      'project.validate': record('project.validate', { problems: [] }),
      'project.conflict': record('project.conflict', snapshot()),
      'project.recovery': record('project.recovery', snapshot()),
      'project.apply': record('project.apply', { restarted: [], stopped: [] }),
      'services.start': (p) => record('services.start', { started: p.services ?? [] })(p),
      'services.stop': (p) => record('services.stop', { stopped: p.services ?? [] })(p),
      'services.restart': (p) => record('services.restart', { restarted: p.services })(p),
      'services.rollback': (p) => record('services.rollback', { service: p.service, from: 'a', to: 'b', restarted: false })(p),
      'logs.history': record('logs.history', []),
      'logs.page': record('logs.page', { lines: [], next: null, until: 0, evicted: {} }),
      'network.topology': record('network.topology', { interfaces: [], services: [], edges: [] }),
      'hosts.trust': record('hosts.trust', { file: '/tmp/known_hosts', line: '' }),
      'supervisor.info': record('supervisor.info', { pid: process.pid, file: null, project: null, startedAt: 0, version: 'test' }),
      'supervisor.shutdown': record('supervisor.shutdown', null),
    },
    {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
  );
  return {
    dispatcher,
    calls,
    emit: (event, payload) => {
      for (const l of listeners) l(event, payload);
    },
  };
}
