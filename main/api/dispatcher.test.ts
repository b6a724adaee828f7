import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../shared/api-client.js';
import { HarnessError } from '../../shared/errors.js';
import { ApiDispatcher, type ApiEventListener, type ApiHandlers } from './dispatcher.js';
import { connectInMemory } from './memory-transport.js';

// The dispatcher's own rules (validation, envelopes) with handlers that record their input. The
// full contract over real transports and a real core is in main/api/contract.test-suite.ts.
function makeDispatcher() {
  const calls: Array<{ method: string; params: unknown }> = [];
  const listeners = new Set<ApiEventListener>();
  const record = (method: string) => (params: unknown) => {
    calls.push({ method, params });
    if (method === 'services.restart') throw new HarnessError('NOT_FOUND', 'no service named "ghost"');
    if (method === 'services.stop') throw new Error('boom');
    return { started: ['a'], stopped: [], restarted: [] } as never;
  };
  const handlers = new Proxy({}, { get: (_t, m: string) => record(m) }) as Omit<ApiHandlers, 'logs.ack'>;
  const dispatcher = new ApiDispatcher(handlers, {
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  });
  const emit: ApiEventListener = (event, payload) => {
    for (const l of listeners) l(event, payload);
  };
  return { dispatcher, calls, emit, listeners };
}

describe('ApiDispatcher', () => {
  it('rejects unknown methods without reaching a handler', async () => {
    const { dispatcher, calls } = makeDispatcher();
    const r = await dispatcher.call('services.delete', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await dispatcher.call('__proto__', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(calls).toHaveLength(0);
  });

  it.each([
    ['extra key', 'services.start', { services: ['a'], admin: true }, 'unexpected key "admin"'],
    ['wrong type', 'services.start', { services: 'a' }, 'expected an array'],
    ['bad service name', 'services.stop', { services: ['../etc'] }, 'does not match'],
    ['missing field', 'services.restart', {}, 'services: required'],
    ['oversized list', 'services.start', { services: Array(1001).fill('a') }, 'more than 1000 items'],
    ['not an object', 'project.snapshot', [], 'expected an object'],
    ['forged edit op', 'project.edit', { edits: [{ op: 'rm -rf', name: 'a' }] }, 'op: expected one of'],
    ['huge string', 'project.open', { path: 'x'.repeat(5000) }, 'longer than 4096'],
    ['object as a field path item', 'project.edit', { edits: [{ op: 'setField', service: 'a', path: [{ $gt: 1 }], value: 1 }] }, 'path[0]: expected a field name or a list index'],
    ['negative list index', 'project.edit', { edits: [{ op: 'setField', service: 'a', path: ['target', -1], value: 1 }] }, 'path[1]: expected a field name or a list index'],
    ['field key with a slash', 'project.edit', { edits: [{ op: 'setField', service: 'a', path: ['target', '../x'], value: 1 }] }, 'path[1]: expected'],
  ])('rejects a forged payload (%s) with BAD_REQUEST', async (_label, method, params, fragment) => {
    const { dispatcher, calls } = makeDispatcher();
    const r = await dispatcher.call(method, params);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('BAD_REQUEST');
      expect(r.error.message).toContain(fragment);
    }
    expect(calls).toHaveLength(0);
  });

  it('passes valid params through and wraps results and errors in envelopes', async () => {
    const { dispatcher, calls } = makeDispatcher();
    expect(await dispatcher.call('services.start', { services: ['a'] })).toMatchObject({ ok: true });
    expect(calls).toEqual([{ method: 'services.start', params: { services: ['a'] } }]);
    expect(await dispatcher.call('services.restart', { services: ['ghost'] })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no service named "ghost"' },
    });
    expect(await dispatcher.call('services.stop', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('gives the typed client its HarnessError back, and events through the in-memory transport', async () => {
    const { dispatcher, emit, listeners } = makeDispatcher();
    const conn = connectInMemory(dispatcher);
    const client = new ApiClient(conn);
    await expect(client.invoke('services.restart', { services: ['ghost'] })).rejects.toMatchObject({
      name: 'HarnessError',
      code: 'NOT_FOUND',
    });
    const got: number[] = [];
    client.on('status', (e) => got.push(e.seq));
    emit('status', { seq: 7, state: { name: 'a', type: 'Process', status: 'running', restarts: 0, updatedAt: 1 } });
    await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual([7]);
    conn.close();
    expect(listeners.size).toBe(0);
  });
});
