// The scalar conversions of the import, and port and volume forms, on small inline compose files.
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { convertCompose } from './convert-compose.js';
import { goDurationMs, harnessDuration, harnessRefs, literal, shellWords } from './values.js';

describe('harnessRefs', () => {
  it('braces bare $VAR, keeps $$ and the forms Harness shares with Compose', () => {
    expect(harnessRefs('--port $PORT --host ${HOST:-0.0.0.0}', {}).text).toBe('--port ${PORT} --host ${HOST:-0.0.0.0}');
    expect(harnessRefs('price $$5 and $1', {}).text).toBe('price $$5 and $1');
    expect(harnessRefs('${A:-$B}', {}).text).toBe('${A:-${B}}');
    expect(harnessRefs('${A:?set A}', {}).text).toBe('${A:?set A}');
  });

  it('resolves :+ and + now, and says so', () => {
    expect(harnessRefs('x${DEBUG:+--verbose}', { DEBUG: '1' })).toEqual({ text: 'x--verbose', resolved: ['${DEBUG:+--verbose}'] });
    expect(harnessRefs('x${DEBUG:+--verbose}', { DEBUG: '' }).text).toBe('x');
    expect(harnessRefs('x${DEBUG+--verbose}', { DEBUG: '' }).text).toBe('x--verbose');
  });

  it('literal doubles every $', () => {
    expect(literal('$5 and $$ and ${X}')).toBe('$$5 and $$$$ and $${X}');
  });
});

describe('shellWords', () => {
  it('splits as Compose does (quotes, escapes, no expansion)', () => {
    expect(shellWords(`python -u app.py --name "my app" 'it''s' a\\ b $HOME`)).toEqual(['python', '-u', 'app.py', '--name', 'my app', 'its', 'a b', '$HOME']);
    expect(shellWords(`sh -c 'echo "tick $$(date)"'`)).toEqual(['sh', '-c', 'echo "tick $$(date)"']);
    expect(shellWords('echo "a \\"b\\" c"')).toEqual(['echo', 'a "b" c']);
    expect(shellWords('  ')).toEqual([]);
    expect(shellWords('echo "open')).toBeNull();
  });

  it('gives back any words that were single-quoted and joined', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }).filter((w) => !w.includes("'")), { maxLength: 8 }), (words) => {
        expect(shellWords(words.map((w) => `'${w}'`).join(' '))).toEqual(words);
      }),
      { numRuns: 200 },
    );
  });
});

describe('durations', () => {
  it('reads Go durations and writes what Harness reads as the same time', () => {
    expect(goDurationMs('1m30s')).toBe(90_000);
    expect(goDurationMs('1.5s')).toBe(1500);
    expect(goDurationMs('250us')).toBe(0.25);
    expect(goDurationMs('10')).toBeUndefined();
    expect(harnessDuration('1m30s')).toBe('1m30s');
    expect(harnessDuration('90s')).toBe('90s');
    expect(harnessDuration('1h5s')).toBe('1h5s');
    expect(harnessDuration('1m30.5s')).toBe('1m30.5s'); // Harness reads this form too
    expect(harnessDuration('1500us')).toBe('2ms');
    expect(harnessDuration('30s1m')).toBe('1m30s'); // Go accepts any order; Harness wants largest first
    expect(harnessDuration('0')).toBe('0ms');
    expect(harnessDuration('${GRACE:-10s}')).toBe('${GRACE:-10s}');
    expect(harnessDuration('soon')).toBeUndefined();
  });
});

function convert(yaml: string): { text: string; losses: string[] } {
  const r = convertCompose(yaml, { composeFile: '/p/app/docker-compose.yml', outFile: '/p/app/services.yaml', readText: () => undefined, env: {} });
  return { text: r.text, losses: r.lossLines };
}

describe('ports', () => {
  it('writes ranges out, keeps engine-picked host ports, udp, IPv6 and references', () => {
    const { text, losses } = convert(`services:
  a:
    image: x
    ports:
      - "7000-7002:8000-8002"
      - "9000-9001"
      - "[::1]:5353:53/udp"
      - target: 80
        host_ip: "::1"
      - "\${WEB_PORT:-8080}:80"
      - 5000
`);
    expect(losses).toEqual([]);
    for (const p of ['7000:8000', '7001:8001', '7002:8002', '127.0.0.1::9000', '127.0.0.1::9001', '[::1]:5353:53/udp', '[::1]::80', '${WEB_PORT:-8080}:80', '127.0.0.1::5000']) {
      expect(text).toContain(`"${p}"`);
    }
  });

  it('reports what Harness cannot publish', () => {
    const { losses } = convert(`services:
  a:
    image: x
    ports:
      - "1-200"
      - "9999:80/sctp"
      - "8000-8001:9000-9003"
      - "70000:80"
`);
    expect(losses).toEqual([
      'docker-compose.yml:5: services.a.ports[0]: not converted: a range of 200 ports; Harness has no port ranges and writes out at most 100',
      'docker-compose.yml:6: services.a.ports[1]: not converted: protocol "sctp" is not supported by Harness (tcp and udp only)',
      'docker-compose.yml:7: services.a.ports[2]: not converted: host range 8000-8001 and container range 9000-9003 differ in length',
      'docker-compose.yml:8: services.a.ports[3]: not converted: port "70000:80" is out of range (1-65535)',
    ]);
  });
});

describe('volumes and services', () => {
  it('keeps ro, reports other modes, names a source that is neither path nor volume', () => {
    const { text, losses } = convert(`services:
  a:
    image: x
    volumes:
      - ./data:/data:ro,cached
      - data/sub:/x
      - ~/cfg:/cfg
`);
    expect(text).toContain('"./data:/data:ro"');
    expect(text).toContain('"~/cfg:/cfg"');
    expect(losses).toEqual([
      'docker-compose.yml:5: services.a.volumes[0]: not converted: mode "cached": a macOS consistency hint with no effect on Linux',
      'docker-compose.yml:6: services.a.volumes[1]: not converted: "data/sub" is neither a path (./, ../, /, ~) nor a volume name',
    ]);
  });

  it('lists unknown fields and a service with nothing to run; a test-less healthcheck; NONE', () => {
    const { text, losses } = convert(`services:
  a:
    image: x
    helthcheck: {test: ["CMD", "true"]}
    healthcheck:
      interval: 5s
  b:
    environment: {A: 1}
  c:
    image: y
    healthcheck:
      test: ["NONE"]
    stop_signal: "9"
    stop_grace_period: 1m
`);
    expect(losses).toEqual([
      'docker-compose.yml:4: services.a.helthcheck: not converted: unknown Compose field "helthcheck"',
      "docker-compose.yml:5: services.a.healthcheck: not converted: no test: Docker would run the image's HEALTHCHECK with these timings; Harness uses the image's HEALTHCHECK as it is",
      'docker-compose.yml:7: services.b: not converted: the service has neither image nor build; it is not imported',
      "docker-compose.yml:12: services.c.healthcheck.test: approximated: health check switched off: Harness cannot switch off the image's own HEALTHCHECK, so dependents still wait for it when the image has one",
    ]);
    expect(text).toContain('stop_signal: SIGKILL');
    expect(text).toContain('stop_grace_period: 1m');
  });
});

describe('numbers and booleans as written', () => {
  it('keeps 1.10, 0755 and yes as text', () => {
    const { text } = convert(`services:
  a:
    image: x
    environment:
      VERSION: 1.10
      MODE: 0755
      FLAG: true
      HEX: 0x1F
`);
    expect(text).toContain('VERSION: "1.10"');
    expect(text).toContain('MODE: "0755"');
    expect(text).toContain('FLAG: "true"');
    expect(text).toContain('HEX: "0x1F"');
  });
});

describe('any input', () => {
  const keys = ['image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'volumes', 'working_dir', 'depends_on', 'healthcheck', 'restart', 'deploy', 'stop_signal', 'stop_grace_period', 'profiles', 'secrets', 'configs', 'networks', 'links', 'x-a', 'labels'];
  it('converts or reports, never crashes, and what it writes parses back', () => {
    const body = fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 });
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c'), body, { minKeys: 1, maxKeys: 3 }), fc.jsonValue({ maxDepth: 2 }), (services, networks) => {
        const yaml = JSON.stringify({ services, networks, secrets: { s: { file: 'x' } } });
        let out: ReturnType<typeof convert>;
        try {
          out = convert(yaml);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('CONFIG_INVALID');
          return;
        }
        expect(parseDocument(out.text).errors).toEqual([]);
        for (const l of out.losses) expect(l).toMatch(/^docker-compose\.yml(:\d+)?: .+: (not converted|approximated): /);
      }),
      { numRuns: Number(process.env.COMPOSE_FUZZ_RUNS ?? 300) },
    );
  });
});

describe('extends', () => {
  it('reports a loop once (where it closes) and a missing base, and merges environment given as a list into a map', () => {
    const { text, losses } = convert(`services:
  a:
    extends: b
    image: x
  b:
    extends: a
    image: y
  c:
    extends: nope
    image: z
  d:
    image: w
    environment: [A=1, B=2]
  e:
    extends: d
    environment: {B: 3}
`);
    expect(losses).toEqual([
      'docker-compose.yml:6: services.b.extends: not converted: extends loops (a -> b -> a); the base is not merged',
      'docker-compose.yml:9: services.c.extends: not converted: no service "nope" in the file to extend',
    ]);
    expect(text).toMatch(/ {2}e:\n {4}target:\n {6}type: Docker\n {6}image: w\n {6}env:\n {8}A: "1"\n {8}B: "3"\n/);
  });
});
