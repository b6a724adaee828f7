// The container plan for the optional Docker fields `entrypoint` and `working_dir`: passed to the
// engine as given, an empty entrypoint clears the image's, and a target without them keeps the
// config hash it had before the fields existed (so upgrading recreates no container).
import { describe, expect, it } from 'vitest';
import type { DockerTarget } from '../../../shared/config-types.js';
import { service } from '../../core/test-support/fixtures.js';
import { planContainer } from './container-spec.js';
import { configHash } from './labels.js';

const plan = (extra: Partial<DockerTarget>) =>
  planContainer({
    project: 'p',
    file: '/tmp/services.yaml',
    network: 'harness-p',
    injectedEnv: {},
    image: { name: 'busybox:1', id: 'sha256:1' },
    service: service('box', { target: { type: 'Docker', image: 'busybox:1', env: {}, ports: [], volumes: [], command: ['sh'], ...extra } }),
  });

describe('planContainer: entrypoint and working_dir', () => {
  it('passes them to the engine', () => {
    const p = plan({ entrypoint: ['/init', '--'], working_dir: '/app' });
    expect(p.create.Entrypoint).toEqual(['/init', '--']);
    expect(p.create.WorkingDir).toBe('/app');
    expect(p.create.Cmd).toEqual(['sh']);
  });

  it('clears the image entrypoint for an empty list', () => {
    expect(plan({ entrypoint: [] }).create.Entrypoint).toEqual(['']);
  });

  it('leaves them out, and the hash as before, when unset', () => {
    const p = plan({});
    expect(p.create.Entrypoint).toBeUndefined();
    expect(p.create.WorkingDir).toBeUndefined();
    const before = configHash({ image: 'busybox:1', imageId: 'sha256:1', command: ['sh'], env: {}, ports: [], volumes: [], network: 'harness-p' });
    expect(p.hash).toBe(before);
    expect(plan({ working_dir: '/app' }).hash).not.toBe(before);
    expect(plan({ entrypoint: ['/init'] }).hash).not.toBe(plan({ entrypoint: ['/other'] }).hash);
  });
});
