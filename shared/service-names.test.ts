import { describe, expect, it } from 'vitest';
import { HarnessError } from './errors.js';
import { checkServiceNames } from './service-names.js';

const FILE = '/srv/stack/services.yaml';

function thrown(fn: () => void): HarnessError {
  try {
    fn();
  } catch (err) {
    return err as HarnessError;
  }
  throw new Error('expected a throw');
}

describe('checkServiceNames', () => {
  it('accepts known names, from a Set or a Map', () => {
    expect(() => checkServiceNames(['api', 'db'], new Set(['db', 'api']), FILE)).not.toThrow();
    expect(() => checkServiceNames(['db'], new Map([['db', 1]]), FILE)).not.toThrow();
    expect(() => checkServiceNames([], new Set<string>(), FILE)).not.toThrow();
  });

  it('names the first unknown one, the file and the services, with the suggestion it is given', () => {
    const err = thrown(() => checkServiceNames(['db', 'apu', 'zz'], new Set(['api', 'db']), FILE, (n) => (n === 'apu' ? ' (did you mean "api"?)' : '')));
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('unknown service "apu" in /srv/stack/services.yaml (did you mean "api"?); the file defines: api, db');
    expect(err.details).toEqual({ service: 'apu', file: FILE });
  });

  it('says when the file defines no services, and shortens a long list', () => {
    expect(thrown(() => checkServiceNames(['x'], new Set<string>(), FILE)).message).toBe('unknown service "x" in /srv/stack/services.yaml; the file defines no services');
    const many = Array.from({ length: 25 }, (_, i) => `s${i}`);
    const msg = thrown(() => checkServiceNames(['x'], new Set(many), FILE)).message;
    expect(msg).toContain('s0, s1,');
    expect(msg).toContain('s19, … (25 in all)');
    expect(msg).not.toContain('s20');
  });
});
