// schema/services.schema.json and the loader accept the same fields, and sample files that the
// loader accepts validate against the schema (and broken ones do not).
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FIELDS } from './fields.js';
import { parseProject } from './parse-project.js';
import { newProjectText } from './save-document.js';
import { validateSchema } from './test-support/json-schema-lite.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema/services.schema.json'), 'utf8')) as Record<string, any>;
const defs = schema.definitions as Record<string, any>;

const propKeys = (s: any) => Object.keys(s.properties ?? {}).sort();

describe('schema/services.schema.json', () => {
  it('is draft-07 JSON and every $ref resolves', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const refs = JSON.stringify(schema).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) {
      const name = r.slice(r.lastIndexOf('/') + 1, -1);
      expect(defs[name], r).toBeDefined();
    }
  });

  it('describes exactly the keys the loader accepts, object by object', () => {
    const pairs: Array<[string, readonly string[], any]> = [
      ['project', FIELDS.project.keys, schema],
      ['service', FIELDS.service.keys, defs.service],
      ['restart', FIELDS.restart.keys, defs.restart_policy],
      ['build', FIELDS.build.keys, defs.build],
      ['ui', FIELDS.ui.keys, defs.ui],
      ['position', FIELDS.position.keys, defs.position],
      ['network', FIELDS.network.keys, defs.network],
      ...Object.entries(FIELDS.target).map(([t, f]) => [`target ${t}`, f.keys, defs[`target_${t}`]] as [string, readonly string[], any]),
      ...Object.entries(FIELDS.health_check).map(([t, f]) => [`health ${t}`, f.keys, defs[`health_${t}`]] as [string, readonly string[], any]),
    ];
    for (const [what, keys, s] of pairs) {
      expect(s, what).toBeDefined();
      expect(propKeys(s), what).toEqual([...keys].sort());
    }
    expect(defs.target.properties.type.enum).toEqual(Object.keys(FIELDS.target));
    expect(defs.health_check.properties.type.enum).toEqual(Object.keys(FIELDS.health_check));
    // Required fields agree too.
    for (const [t, f] of Object.entries(FIELDS.target)) expect([...defs[`target_${t}`].required].sort()).toEqual([...f.required].sort());
  });

  const samples: Array<[string, string]> = [
    ['new project', newProjectText()],
    [
      'full list form',
      `name: demo
x-shared: {a: 1}
services:
  - name: store
    target: {type: Process, binary: node, args: [store.js, 7001], env: {A: 1}, ports: [7001]}
    health_check: {type: tcp, interval: 50ms, timeout: 1s, retries: 3, start_period: 30s}
    restart: {policy: on-failure, max_retries: 3, backoff: 250ms, max_backoff: 5s}
    stop_signal: SIGINT
    stop_grace_period: 2s
    ui: {position: {x: 1, y: 2.5}}
  - name: db
    target: {type: Docker, image: pg, ports: ["127.0.0.1:5432:5432", 80, "53:53/udp"], volumes: [./d:/d], build: ./docker, command: [pg]}
    dependencies: [store]
    health_check: {type: command, command: pg_isready}
    restart: always
  - name: edge
    target: {type: RemoteLan, host: h, user: u, binary: /x, ssh_port: 2222}
    health_check: {type: http, port: 80, path: /h, expect_status: 200}
  - name: peer
    target: {type: Wireguard, host: h, user: u, package: p.tgz}
networks:
  office: {type: wireguard, interface: wg0, address: 10.44.0.1, peers: [10.44.0.0/24, "fd44::/64", 10.45.0.7]}
  lab: {type: wireguard, address: "fd44::1", peers: ["fd44::/64"]}
`,
    ],
    [
      'map form',
      `services:
  api:
    target: {type: Process, binary: ./api}
    health_check: {type: log, pattern: "ready", stream: stdout}
  web:
    name: web
    target: {type: Docker, image: nginx, build: {context: ., dockerfile: D}}
    dependencies: [api]
  tools:
    target: {type: Docker, image: busybox, entrypoint: [/bin/sh, -c], command: [ls], working_dir: /srv}
`,
    ],
  ];
  samples.push([
    'RemoteLan with every field',
    `services:
  - name: edge
    target: {type: RemoteLan, host: lab-1, user: pi, binary: /srv, args: [-v], env: {A: b}, working_dir: app, port: 2222, ssh_port: 2222, identity_file: ~/.ssh/lab, ports: [80], tunnel: auto}
`,
  ]);
  samples.push([
    'Wireguard with every field',
    `services:
  - name: peer
    target: {type: Wireguard, host: 10.44.0.2, user: deploy, package: ./dist/api.tar.gz, env: {A: b}, port: 2222, ssh_port: 2222, identity_file: ~/.ssh/lab, ports: [8080], install_root: ~/harness, tunnel: never}
`,
  ]);
  const demo = path.join(ROOT, 'examples/demo/services.yaml');
  if (existsSync(demo)) samples.push(['examples/demo/services.yaml', readFileSync(demo, 'utf8')]);

  samples.push([
    'restart delays and probe intervals at the 10ms minimum',
    `services:
  - name: a
    target: {type: Process, binary: x}
    restart: {policy: always, backoff: 10ms, max_backoff: 10}
    health_check: {type: tcp, port: 1, interval: 0.01s, start_interval: 9.5ms}
  - name: b
    target: {type: Process, binary: x}
    restart: {policy: always, backoff: "10", max_backoff: 1m}
    health_check: {type: http, port: 1, interval: 0h0m0s10ms}
`,
  ]);

  it.each(samples)('%s: schema and loader agree', (name, text) => {
    const viaSchema = validateSchema(schema, parse(text));
    const viaLoader = parseProject(text, '/p/services.yaml', {}).problems.filter((p) => p.severity === 'error');
    expect(viaLoader, name).toEqual([]);
    expect(viaSchema, name).toEqual([]);
  });

  it.each([
    ['unknown top-level key', 'servics: []\nservices: []\n'],
    ['unknown target type', 'services:\n  - name: a\n    target: {type: Dokcer, image: x}\n'],
    ['missing binary', 'services:\n  - name: a\n    target: {type: Process}\n'],
    ['bad duration', 'services:\n  - name: a\n    target: {type: Process, binary: x}\n    stop_grace_period: 10 seconds\n'],
    ['bad port', 'services:\n  - name: a\n    target: {type: Process, binary: x, ports: [70000]}\n'],
    ['bad restart', 'services:\n  - name: a\n    target: {type: Process, binary: x}\n    restart: sometimes\n'],
    ['list item without name', 'services:\n  - target: {type: Process, binary: x}\n'],
    ['field of another target type', 'services:\n  - name: a\n    target: {type: Wireguard, host: h, user: u, package: p, build: x}\n'],
    ['map-form key that is not a service name', 'services:\n  9x:\n    target: {type: Process, binary: x}\n'],
    ['network without peers', 'services: []\nnetworks:\n  office: {type: wireguard, address: 10.44.0.1}\n'],
    ['network of an unknown type', 'services: []\nnetworks:\n  office: {type: openvpn, address: 10.44.0.1, peers: [10.44.0.0/24]}\n'],
    ['relative Docker working_dir', 'services:\n  - name: a\n    target: {type: Docker, image: x, working_dir: app}\n'],
    ['RemoteLan host that begins with -', 'services:\n  - name: a\n    target: {type: RemoteLan, host: -oProxyCommand=x, user: u, binary: /x}\n'],
    ['RemoteLan user with whitespace', 'services:\n  - name: a\n    target: {type: RemoteLan, host: h, user: "a b", binary: /x}\n'],
    ['Wireguard install_root with a control character', 'services:\n  - name: a\n    target: {type: Wireguard, host: h, user: u, package: p, install_root: "/opt/x\\ny"}\n'],
    ['Wireguard unknown tunnel mode', 'services:\n  - name: a\n    target: {type: Wireguard, host: h, user: u, package: p, tunnel: sometimes}\n'],
    ['RemoteLan unknown tunnel mode', 'services:\n  - name: a\n    target: {type: RemoteLan, host: h, user: u, binary: /x, tunnel: maybe}\n'],
    ['Docker entrypoint that is not a list', 'services:\n  - name: a\n    target: {type: Docker, image: x, entrypoint: {a: 1}}\n'],
    ['restart backoff of 0', 'services:\n  - name: a\n    target: {type: Process, binary: x}\n    restart: {policy: always, backoff: 0}\n'],
    ['restart backoff of "5ms"', 'services:\n  - name: a\n    target: {type: Process, binary: x}\n    restart: {policy: always, backoff: 5ms}\n'],
    ['restart max_backoff of "0s"', 'services:\n  - name: a\n    target: {type: Process, binary: x}\n    restart: {policy: always, max_backoff: 0s}\n'],
    ['restart backoff of "9.4ms"', 'services:\n  - name: a\n    target: {type: Process, binary: x}\n    restart: {policy: always, backoff: 9.4ms}\n'],
    ['restart backoff of "0h0m0s9ms"', 'services:\n  - name: a\n    target: {type: Process, binary: x}\n    restart: {policy: always, backoff: 0h0m0s9ms}\n'],
    ['probe interval of "5" (milliseconds)', 'services:\n  - name: a\n    target: {type: Process, binary: x}\n    health_check: {type: tcp, port: 1, interval: "5"}\n'],
    ['probe start_interval of 1', 'services:\n  - name: a\n    target: {type: Process, binary: x}\n    health_check: {type: tcp, port: 1, start_interval: 1}\n'],
  ])('%s: rejected by both', (_name, text) => {
    expect(validateSchema(schema, parse(text)).length).toBeGreaterThan(0);
    expect(parseProject(text, '/p/services.yaml', {}).config).toBeNull();
  });
});
