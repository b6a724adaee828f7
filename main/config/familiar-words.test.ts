// A Compose user's words in a services.yaml get pointed to ours, at the line and field they wrote.
import { describe, expect, it } from 'vitest';
import { parseProject } from './parse-project.js';

function problems(yaml: string): string[] {
  return parseProject(yaml, '/p/services.yaml', {}).problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
}

describe('familiar words', () => {
  it.each([
    ['target: {type: Process, binary: node, workdir: /srv}', 'services[0].target.workdir: unknown field "workdir" (services.yaml calls it "working_dir")'],
    ['target: {type: Process, binary: node, working-dir: /srv}', 'services[0].target.working-dir: unknown field "working-dir" (services.yaml calls it "working_dir")'],
    ['target: {type: Process, binary: node, environment: {A: "1"}}', 'services[0].target.environment: unknown field "environment" (services.yaml calls it "env")'],
    ['target: {type: Process, binary: node, command: [x]}', 'services[0].target.command: unknown field "command" (services.yaml calls it "args")'],
  ])('%s', (target, expected) => {
    expect(problems(`services:\n  - name: a\n    ${target}\n`)).toContainEqual(expect.stringContaining(expected));
  });

  it('depends_on, healthcheck and environment on the service', () => {
    const got = problems(`services:
  - name: redis
    target: {type: Process, binary: redis-server}
  - name: api
    target: {type: Process, binary: node}
    depends_on: [redis]
    healthcheck: {type: tcp, port: 1}
    environment: {A: "1"}
`);
    expect(got).toContainEqual('6:5 services[1].depends_on: unknown field "depends_on" (services.yaml calls it "dependencies")');
    expect(got).toContainEqual('7:5 services[1].healthcheck: unknown field "healthcheck" (services.yaml calls it "health_check")');
    expect(got).toContainEqual('8:5 services[1].environment: unknown field "environment" (services.yaml calls it "env", a field of target)');
  });

  it('an unknown dependency with two letters swapped gets "did you mean"', () => {
    const got = problems(`services:
  - name: redis
    target: {type: Process, binary: redis-server}
  - name: api
    target: {type: Process, binary: node}
    dependencies: [redsi]
`);
    expect(got).toContainEqual(expect.stringMatching(/^6:20 services\[1\]\.dependencies\[0\]: unknown dependency "redsi" \(did you mean "redis"\?\)/));
  });
});
