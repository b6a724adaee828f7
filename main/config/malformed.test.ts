// Every class of problem, each with the exact location a user would be sent to.
import { describe, expect, it } from 'vitest';
import { parseProject } from './parse-project.js';

const FILE = '/projects/demo/services.yaml';

interface Case {
  name: string;
  yaml: string;
  line: number;
  column: number;
  path: string;
  message: string;
  severity?: 'error' | 'warning';
  env?: Record<string, string>;
}

const P = (extra = '') => `    target: {type: Process, binary: node}\n${extra}`;

const cases: Case[] = [
  { name: 'YAML syntax: bad indentation', yaml: 'services:\n  - name: a\n   target: x\n', line: 3, column: 1, path: '', message: 'YAML syntax error: Sequence item without - indicator' },
  { name: 'YAML syntax: unclosed flow map', yaml: 'services:\n  - {name: a, target: {type: Process\n', line: 3, column: 1, path: '', message: 'YAML syntax error' },
  { name: 'YAML duplicate key (map form duplicate name)', yaml: 'services:\n  a:\n' + P('').replace(/^/gm, '') + '  a:\n' + P(''), line: 4, column: 3, path: '', message: 'unique' },
  { name: 'top level is a list', yaml: '- a\n- b\n', line: 1, column: 1, path: '', message: 'expected a map with "services"' },
  { name: 'empty file', yaml: '# nothing\n', line: 1, column: 1, path: '', message: 'the file is empty' },
  { name: 'missing services', yaml: 'name: demo\n', line: 1, column: 1, path: '', message: 'missing required field "services"' },
  { name: 'unknown top-level key with suggestion', yaml: 'servics: []\nservices: []\n', line: 1, column: 1, path: 'servics', message: 'unknown field "servics" (did you mean "services"?)' },
  { name: 'services is a string', yaml: 'services: web\n', line: 1, column: 11, path: 'services', message: 'expected a list of services or a map of services' },
  { name: 'unknown service field with suggestion', yaml: 'services:\n  - name: a\n' + P() + '    dependecies: []\n', line: 4, column: 5, path: 'services[0].dependecies', message: 'unknown field "dependecies" (did you mean "dependencies"?)' },
  { name: 'missing name in list form', yaml: 'services:\n  - target: {type: Process, binary: node}\n', line: 2, column: 5, path: 'services[0]', message: 'missing required field "name"' },
  { name: 'missing target', yaml: 'services:\n  - name: a\n', line: 2, column: 5, path: 'services[0]', message: 'missing required field "target"' },
  { name: 'missing target type', yaml: 'services:\n  - name: a\n    target: {binary: node}\n', line: 3, column: 13, path: 'services[0].target', message: 'missing required field "type"' },
  { name: 'unknown target type with suggestion', yaml: 'services:\n  - name: a\n    target: {type: Dokcer, image: x}\n', line: 3, column: 20, path: 'services[0].target.type', message: 'unknown target type "Dokcer"; expected one of Process, Docker, RemoteLan, Wireguard (did you mean "Docker"?)' },
  { name: 'Process without binary', yaml: 'services:\n  - name: a\n    target:\n      type: Process\n      args: [x]\n', line: 4, column: 7, path: 'services[0].target', message: 'missing required field "binary"' },
  { name: 'Docker without image', yaml: 'services:\n  - name: a\n    target: {type: Docker}\n', line: 3, column: 13, path: 'services[0].target', message: 'missing required field "image"' },
  { name: 'RemoteLan without user', yaml: 'services:\n  - name: a\n    target: {type: RemoteLan, host: h, binary: /bin/x}\n', line: 3, column: 13, path: 'services[0].target', message: 'missing required field "user"' },
  { name: 'Wireguard without package', yaml: 'services:\n  - name: a\n    target: {type: Wireguard, host: h, user: u}\n', line: 3, column: 13, path: 'services[0].target', message: 'missing required field "package"' },
  { name: 'field of another target type', yaml: 'services:\n  - name: a\n    target: {type: Process, binary: x, image: y}\n', line: 3, column: 40, path: 'services[0].target.image', message: 'unknown field "image"' },
  { name: 'args is a string', yaml: 'services:\n  - name: a\n    target: {type: Process, binary: x, args: "-v"}\n', line: 3, column: 46, path: 'services[0].target.args', message: 'expected a list of strings, got the string "-v"' },
  { name: 'env is a list', yaml: 'services:\n  - name: a\n    target: {type: Process, binary: x, env: [A=1]}\n', line: 3, column: 45, path: 'services[0].target.env', message: 'expected a map of environment variables' },
  { name: 'binary is a number', yaml: 'services:\n  - name: a\n    target: {type: Process, binary: 42}\n', line: 3, column: 37, path: 'services[0].target.binary', message: 'expected a string, got the number 42' },
  { name: 'port out of range', yaml: 'services:\n  - name: a\n    target: {type: Process, binary: x, ports: [8080, 70000]}\n', line: 3, column: 54, path: 'services[0].target.ports[1]', message: '70000 is out of range (1-65535)' },
  { name: 'port zero', yaml: 'services:\n  - name: a\n    target: {type: Process, binary: x, ports: [0]}\n', line: 3, column: 48, path: 'services[0].target.ports[0]', message: '0 is out of range' },
  { name: 'bad docker port string', yaml: 'services:\n  - name: a\n    target: {type: Docker, image: x, ports: ["80:80:80:80"]}\n', line: 3, column: 46, path: 'services[0].target.ports[0]', message: 'invalid port mapping "80:80:80:80"' },
  { name: 'docker volume with relative container path', yaml: 'services:\n  - name: a\n    target: {type: Docker, image: x, volumes: ["./d:data"]}\n', line: 3, column: 48, path: 'services[0].target.volumes[0]', message: 'the container path must be absolute' },
  { name: 'unknown dependency with suggestion', yaml: 'services:\n  - name: api\n' + P() + '  - name: web\n' + P('    dependencies: [apy]\n'), line: 6, column: 20, path: 'services[1].dependencies[0]', message: 'unknown dependency "apy" (did you mean "api"?)' },
  { name: 'self dependency', yaml: 'services:\n  - name: a\n' + P('    dependencies:\n      - a\n'), line: 5, column: 9, path: 'services[0].dependencies[0]', message: 'service "a" depends on itself' },
  { name: 'dependency cycle printed', yaml: 'services:\n  a:\n' + P('    dependencies: [b]\n') + '  b:\n' + P('    dependencies: [c]\n') + '  c:\n' + P('    dependencies: [a]\n'), line: 10, column: 20, path: 'services.c.dependencies[0]', message: 'dependency cycle: a -> b -> c -> a' },
  { name: 'duplicate names in list form', yaml: 'services:\n  - name: a\n' + P() + '  - name: a\n' + P(), line: 4, column: 11, path: 'services[1].name', message: 'duplicate service name "a" (first defined at line 2)' },
  { name: 'name that is not a valid prefix', yaml: 'services:\n  - name: 9lives\n' + P(), line: 2, column: 11, path: 'services[0].name', message: 'invalid service name "9lives"' },
  { name: 'names colliding on env prefix', yaml: 'services:\n  my-api:\n' + P() + '  my_api:\n' + P(), line: 4, column: 3, path: 'services.my_api', message: 'services "my-api" (line 2) and "my_api" both map to the environment prefix MY_API_' },
  { name: 'map form name differs from key', yaml: 'services:\n  api:\n    name: web\n' + P(), line: 3, column: 11, path: 'services.api.name', message: '"name" must equal the key "api"' },
  { name: 'bad duration', yaml: 'services:\n  - name: a\n' + P('    stop_grace_period: 10 seconds\n'), line: 4, column: 24, path: 'services[0].stop_grace_period', message: 'invalid duration: the string "10 seconds"' },
  { name: 'negative duration', yaml: 'services:\n  - name: a\n' + P('    health_check: {type: tcp, port: 1, timeout: -5}\n'), line: 4, column: 49, path: 'services[0].health_check.timeout', message: 'invalid duration: the number -5' },
  { name: 'interval too small', yaml: 'services:\n  - name: a\n' + P('    health_check: {type: tcp, port: 1, interval: 1ms}\n'), line: 4, column: 50, path: 'services[0].health_check.interval', message: 'must be at least 10ms' },
  { name: 'start_interval too small', yaml: 'services:\n  - name: a\n' + P('    health_check: {type: tcp, port: 1, start_interval: 5ms}\n'), line: 4, column: 56, path: 'services[0].health_check.start_interval', message: 'must be at least 10ms' },
  { name: 'start_interval misspelt', yaml: 'services:\n  - name: a\n' + P('    health_check: {type: tcp, port: 1, start_intervall: 50ms}\n'), line: 4, column: 40, path: 'services[0].health_check.start_intervall', message: 'unknown field "start_intervall" (did you mean "start_interval"?)' },
  { name: 'start_interval not a duration', yaml: 'services:\n  - name: a\n' + P('    health_check: {type: http, port: 1, start_interval: soon}\n'), line: 4, column: 57, path: 'services[0].health_check.start_interval', message: 'invalid duration: the string "soon"' },
  { name: 'bad restart string', yaml: 'services:\n  - name: a\n' + P('    restart: allways\n'), line: 4, column: 14, path: 'services[0].restart', message: '"allways" is not a valid restart policy; expected one of no, on-failure, always (did you mean "always"?)' },
  { name: 'restart object with unknown field', yaml: 'services:\n  - name: a\n' + P('    restart: {policy: always, retries: 3}\n'), line: 4, column: 31, path: 'services[0].restart.retries', message: 'unknown field "retries"' },
  { name: 'restart max_backoff below backoff', yaml: 'services:\n  - name: a\n' + P('    restart: {policy: always, backoff: 2s, max_backoff: 1s}\n'), line: 4, column: 57, path: 'services[0].restart.max_backoff', message: 'max_backoff (1000ms) is smaller than backoff (2000ms)' },
  { name: 'restart backoff of zero (a hot restart loop)', yaml: 'services:\n  - name: a\n' + P('    restart: {policy: always, backoff: 0}\n'), line: 4, column: 40, path: 'services[0].restart.backoff', message: 'must be at least 10ms, got 0ms (a shorter delay restarts a crashing service in a hot loop)' },
  { name: 'restart max_backoff below the minimum', yaml: 'services:\n  - name: a\n' + P('    restart: {policy: always, max_backoff: 5ms}\n'), line: 4, column: 44, path: 'services[0].restart.max_backoff', message: 'must be at least 10ms, got 5ms' },
  { name: 'restart backoff below the minimum, block form', yaml: 'services:\n  - name: a\n' + P('    restart:\n      policy: on-failure\n      backoff: 9ms\n'), line: 6, column: 16, path: 'services[0].restart.backoff', message: 'must be at least 10ms, got 9ms' },
  { name: 'bad signal', yaml: 'services:\n  - name: a\n' + P('    stop_signal: SIGTREM\n'), line: 4, column: 18, path: 'services[0].stop_signal', message: '"SIGTREM" is not a known signal name (did you mean "SIGTERM"?)' },
  { name: 'invalid regex in log check', yaml: 'services:\n  - name: a\n' + P('    health_check: {type: log, pattern: "ready (now"}\n'), line: 4, column: 40, path: 'services[0].health_check.pattern', message: 'invalid regular expression' },
  { name: 'unknown health check type', yaml: 'services:\n  - name: a\n' + P('    health_check: {type: htpp, url: "http://x"}\n'), line: 4, column: 26, path: 'services[0].health_check.type', message: 'unknown health check type "htpp"; expected one of tcp, http, command, log (did you mean "http"?)' },
  { name: 'tcp check without any port', yaml: 'services:\n  - name: a\n' + P('    health_check:\n      type: tcp\n'), line: 5, column: 7, path: 'services[0].health_check', message: 'a tcp health check needs a "port"' },
  { name: 'http check with url and port', yaml: 'services:\n  - name: a\n' + P('    health_check: {type: http, url: "http://x/", port: 80}\n'), line: 4, column: 56, path: 'services[0].health_check.port', message: 'either "url" or "port"/"path"' },
  { name: 'http check with bad url', yaml: 'services:\n  - name: a\n' + P('    health_check: {type: http, url: "ftp://x/"}\n'), line: 4, column: 37, path: 'services[0].health_check.url', message: 'must start with http:// or https://' },
  { name: 'expect_status out of range', yaml: 'services:\n  - name: a\n' + P('    health_check: {type: http, port: 80, expect_status: 700}\n'), line: 4, column: 57, path: 'services[0].health_check.expect_status', message: '700 is out of range (100-599)' },
  { name: 'position not numbers', yaml: 'services:\n  - name: a\n' + P('    ui: {position: {x: left, y: 1}}\n'), line: 4, column: 24, path: 'services[0].ui.position.x', message: 'expected a number, got the string "left"' },
  { name: 'required variable missing', yaml: 'services:\n  - name: a\n    target: {type: Process, binary: "${BIN:?set BIN to the server binary}"}\n', line: 3, column: 37, path: 'services[0].target.binary', message: 'required variable BIN is not set: set BIN to the server binary' },
  { name: 'unset variable warns', yaml: 'services:\n  - name: a\n    target: {type: Process, binary: node, args: ["${FLAG}"]}\n', line: 3, column: 50, path: 'services[0].target.args[0]', message: 'variable FLAG is not set', severity: 'warning' },
  { name: 'malformed interpolation', yaml: 'services:\n  - name: a\n    target: {type: Process, binary: "${1X}"}\n', line: 3, column: 37, path: 'services[0].target.binary', message: 'invalid interpolation "${1X}"' },
  { name: 'unknown alias', yaml: 'services:\n  - *nope\n', line: 2, column: 5, path: 'services[0]', message: 'unknown alias *nope' },
  { name: 'bad project name', yaml: 'name: "my project"\nservices: []\n', line: 1, column: 7, path: 'name', message: 'invalid project name "my project"' },
];

describe('malformed services.yaml files report the exact location', () => {
  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it.each(cases)('$name', (c) => {
    const r = parseProject(c.yaml, FILE, c.env ?? {});
    const severity = c.severity ?? 'error';
    const hit = r.problems.find((p) => p.message.includes(c.message) && p.severity === severity);
    expect(hit, `problems were:\n${JSON.stringify(r.problems, null, 1)}`).toBeDefined();
    expect({ line: hit!.line, column: hit!.column, path: hit!.path, file: hit!.file }).toEqual({
      line: c.line,
      column: c.column,
      path: c.path,
      file: FILE,
    });
    if (severity === 'error') expect(r.config).toBeNull();
    else expect(r.config).not.toBeNull();
  });

  it('reports every problem of a file at once, sorted by position', () => {
    const yaml = 'services:\n  - name: a\n    targt: {}\n  - name: b\n    target: {type: Proces, binary: x}\n    dependencies: [zzz]\n';
    const r = parseProject(yaml, FILE, {});
    expect(r.problems.map((p) => [p.line, p.path])).toEqual([
      [2, 'services[0]'],
      [3, 'services[0].targt'],
      [5, 'services[1].target.type'],
      [6, 'services[1].dependencies[0]'],
    ]);
  });
});
