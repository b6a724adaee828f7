// The Wireguard target's fields: env, ports, port (and its older spelling ssh_port),
// identity_file, install_root and tunnel; package and identity_file resolve here, install_root
// stays for the host.
import { describe, expect, it } from 'vitest';
import { parseProject } from './parse-project.js';

const FILE = '/projects/lab/services.yaml';

function load(target: string) {
  return parseProject(`services:\n  - name: api\n    target: ${target}\n`, FILE, {});
}

describe('Wireguard target', () => {
  it('reads every field, resolving package and identity_file here and leaving install_root for the host', () => {
    const { config, problems } = load(
      '{type: Wireguard, host: 10.44.0.2, user: deploy, package: dist/api.tar.gz, env: {MODE: lab}, port: 2222, identity_file: keys/deploy, ports: [8080], install_root: ~/harness/, tunnel: always}',
    );
    expect(problems).toEqual([]);
    expect(config?.services[0].target).toEqual({
      type: 'Wireguard', host: '10.44.0.2', user: 'deploy', package: '/projects/lab/dist/api.tar.gz', env: { MODE: 'lab' },
      ssh_port: 2222, ports: [8080], identity_file: '/projects/lab/keys/deploy', install_root: 'harness', tunnel: 'always',
    });
  });

  it('defaults the SSH port to 22 and leaves install_root out (the executor applies /opt/harness)', () => {
    const { config } = load('{type: Wireguard, host: h, user: u, package: p.tgz}');
    expect(config?.services[0].target).toEqual({ type: 'Wireguard', host: 'h', user: 'u', package: '/projects/lab/p.tgz', env: {}, ssh_port: 22, ports: [] });
  });

  it('accepts ssh_port as the older spelling of port, and refuses the two when they disagree', () => {
    expect(load('{type: Wireguard, host: h, user: u, package: p, ssh_port: 2200}').config?.services[0].target).toMatchObject({ ssh_port: 2200 });
    const { config, problems } = load('{type: Wireguard, host: h, user: u, package: p, port: 22, ssh_port: 2222}');
    expect(config).toBeNull();
    expect(problems).toMatchObject([{ line: 3, path: 'services[0].target.ssh_port', message: expect.stringContaining('contradicts port 22') }]);
  });

  it.each([
    ['/srv/harness//', '/srv/harness'],
    ['~', '.'],
    ['~/apps', 'apps'],
    ['apps/x', 'apps/x'],
    ['/', '/'],
  ])('install_root %s is kept as %s', (written, kept) => {
    expect(load(`{type: Wireguard, host: h, user: u, package: p, install_root: "${written}"}`).config?.services[0].target).toMatchObject({ install_root: kept });
  });

  it.each([
    ['"/opt/a\\nb"', 'holds a control character'],
    ['/opt/../etc', "has a '..' component"],
    ['""', 'must not be empty'],
  ])('refuses install_root %s with a located error', (value, why) => {
    const { config, problems } = load(`{type: Wireguard, host: h, user: u, package: p, install_root: ${value}}`);
    expect(config).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: FILE, line: 3, path: 'services[0].target.install_root' });
    expect(problems[0].message).toContain(why);
  });

  it('refuses a host that SSH would misread and an unknown tunnel mode', () => {
    expect(load('{type: Wireguard, host: -oProxyCommand=x, user: u, package: p}').problems[0]).toMatchObject({ path: 'services[0].target.host', message: expect.stringContaining("begins with '-'") });
    expect(load('{type: Wireguard, host: h, user: u, package: p, tunnel: maybe}').problems[0]).toMatchObject({
      path: 'services[0].target.tunnel', message: expect.stringMatching(/expected one of auto, always, never/),
    });
  });
});
