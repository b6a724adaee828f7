// The RemoteLan target's fields: env, working_dir, ports, port (and its older spelling ssh_port),
// identity_file, tunnel; host and user that SSH would misread are located errors.
import { describe, expect, it } from 'vitest';
import { parseProject } from './parse-project.js';

const FILE = '/projects/lab/services.yaml';

function load(target: string) {
  return parseProject(`services:\n  - name: edge\n    target: ${target}\n`, FILE, {});
}

describe('RemoteLan target', () => {
  it('reads every field, resolving identity_file here and leaving working_dir for the host', () => {
    const { config, problems } = load(
      '{type: RemoteLan, host: 10.0.0.5, user: pi, binary: ./srv, args: [-v], env: {MODE: lab}, working_dir: ~/app, port: 2222, identity_file: keys/pi, ports: [9000], tunnel: always}',
    );
    expect(problems).toEqual([]);
    expect(config?.services[0].target).toEqual({
      type: 'RemoteLan', host: '10.0.0.5', user: 'pi', binary: './srv', args: ['-v'], env: { MODE: 'lab' },
      ssh_port: 2222, ports: [9000], working_dir: 'app', identity_file: '/projects/lab/keys/pi', tunnel: 'always',
    });
  });

  it('defaults the SSH port to 22 and leaves optional fields out', () => {
    const { config } = load('{type: RemoteLan, host: h, user: u, binary: /x}');
    expect(config?.services[0].target).toEqual({ type: 'RemoteLan', host: 'h', user: 'u', binary: '/x', args: [], env: {}, ssh_port: 22, ports: [] });
  });

  it('accepts ssh_port as the older spelling of port, also both when they agree', () => {
    expect(load('{type: RemoteLan, host: h, user: u, binary: /x, ssh_port: 2200}').config?.services[0].target).toMatchObject({ ssh_port: 2200 });
    expect(load('{type: RemoteLan, host: h, user: u, binary: /x, ssh_port: 2200, port: 2200}').problems).toEqual([]);
  });

  it('refuses port and ssh_port that disagree, at ssh_port', () => {
    const { config, problems } = load('{type: RemoteLan, host: h, user: u, binary: /x, port: 22, ssh_port: 2222}');
    expect(config).toBeNull();
    expect(problems).toMatchObject([{ line: 3, path: 'services[0].target.ssh_port', message: expect.stringContaining('contradicts port 22') }]);
  });

  it.each([
    ['host', '-oProxyCommand=x', "begins with '-'"],
    ['host', '"a b"', 'holds whitespace'],
    ['user', '"root\\n"', 'holds whitespace'],
    ['user', '"r\\u0007t"', 'holds a control character'],
    ['user', '-l', "begins with '-'"],
  ])('refuses %s %s with a located error', (field, value, why) => {
    const target = field === 'host' ? `{type: RemoteLan, host: ${value}, user: u, binary: /x}` : `{type: RemoteLan, host: h, user: ${value}, binary: /x}`;
    const { config, problems } = load(target);
    expect(config).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: FILE, line: 3, path: `services[0].target.${field}` });
    expect(problems[0].message).toContain(why);
    expect(problems[0].column).toBeGreaterThan(20);
  });

  it('refuses an unknown tunnel mode with the choices', () => {
    const { problems } = load('{type: RemoteLan, host: h, user: u, binary: /x, tunnel: sometimes}');
    expect(problems[0].message).toMatch(/expected one of auto, always, never/);
    expect(problems[0].path).toBe('services[0].target.tunnel');
  });

  it('keeps hostile working_dir text as written (the executor quotes it)', () => {
    const { config } = load(`{type: RemoteLan, host: h, user: u, binary: /x, working_dir: "/tmp/$(x) \`y\`; 'z'\\n-"}`);
    expect(config?.services[0].target).toMatchObject({ working_dir: "/tmp/$(x) `y`; 'z'\n-" });
  });
});
