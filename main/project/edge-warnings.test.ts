// Edge warnings (e.g. a process a container depends on listens on loopback only) reach the
// dependent's log once per start, not on every resolution (the UI asks for the topology often).
import { describe, expect, it } from 'vitest';
import { EdgeWarnings } from './edge-warnings.js';

describe('EdgeWarnings', () => {
  it('writes a warning once per start of the dependent, again when it changes', () => {
    const out: string[] = [];
    const w = new EdgeWarnings((service, l) => out.push(`${service}: ${l}`));
    w.report('cache', 'store', 'store listens only on 127.0.0.1');
    w.report('cache', 'store', 'store listens only on 127.0.0.1');
    w.report('other', 'store', 'store listens only on 127.0.0.1');
    w.reset('other');
    w.report('cache', 'store', 'store listens only on 127.0.0.1');
    w.reset('cache');
    w.report('cache', 'store', 'store listens only on 127.0.0.1');
    w.report('cache', 'store', 'changed');
    expect(out).toEqual([
      'cache: store listens only on 127.0.0.1',
      'other: store listens only on 127.0.0.1',
      'cache: store listens only on 127.0.0.1',
      'cache: changed',
    ]);
  });
});
