import { describe, expect, it } from 'vitest';
import { DependencyGraph } from './dependency-graph.js';
import { backoffDelay, decideRestart } from './restart-policy.js';
import { service } from './test-support/fixtures.js';

describe('DependencyGraph', () => {
  const g = new DependencyGraph([
    service('web', { deps: ['api'] }),
    service('api', { deps: ['db', 'cache'] }),
    service('db'),
    service('cache'),
    service('worker', { deps: ['db'] }),
  ]);

  it('orders dependencies first (breadth-first from the roots, in config order)', () => {
    expect(g.order).toEqual(['db', 'cache', 'worker', 'api', 'web']);
  });

  it('computes dependency and dependent closures', () => {
    expect([...g.withDependencies(['web'])].sort()).toEqual(['api', 'cache', 'db', 'web']);
    expect([...g.withDependents(['db'])].sort()).toEqual(['api', 'db', 'web', 'worker']);
    expect(g.ordered(new Set(['web', 'db']))).toEqual(['db', 'web']);
  });

  it('rejects cycles and unknown dependencies built in code', () => {
    expect(() => new DependencyGraph([service('a', { deps: ['b'] }), service('b', { deps: ['a'] })])).toThrow(/dependency cycle among: a, b/);
    expect(() => new DependencyGraph([service('a', { deps: ['zz'] })])).toThrow(/a: dependency "zz" is not a service/);
  });
});

describe('restart policy', () => {
  const policy = { policy: 'on-failure' as const, max_retries: 3, backoff_ms: 250, max_backoff_ms: 1000 };
  it('backs off exponentially up to the cap', () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(policy, n))).toEqual([250, 500, 1000, 1000, 1000]);
  });
  it('restarts on failure only for on-failure, any exit for always, never for no', () => {
    const ok = { code: 0, signal: null };
    const bad = { code: 1, signal: null };
    const killed = { code: null, signal: 'SIGKILL' };
    expect(decideRestart(policy, ok, 0)).toEqual({ kind: 'none' });
    expect(decideRestart(policy, bad, 0)).toEqual({ kind: 'restart', delayMs: 250, attempt: 1 });
    expect(decideRestart(policy, killed, 1)).toEqual({ kind: 'restart', delayMs: 500, attempt: 2 });
    expect(decideRestart({ ...policy, policy: 'always' }, ok, 0)).toMatchObject({ kind: 'restart' });
    expect(decideRestart({ ...policy, policy: 'no' }, bad, 0)).toEqual({ kind: 'none' });
    expect(decideRestart(policy, bad, 3)).toEqual({ kind: 'crash-loop', exits: 4 });
  });
});
