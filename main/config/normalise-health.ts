// `health_check:` tagged by `type` (tcp, http, command, log) with fast default timing.
import type { HealthCheck, HealthTiming, ServiceTarget } from '../../shared/config-types.js';
import { didYouMean } from './did-you-mean.js';
import { DEFAULTS, FIELDS, HEALTH_CHECK_TYPES, LOG_STREAMS, type HealthCheckType } from './fields.js';
import { quoted, Readers, value } from './readers.js';
import { firstPort } from './normalise-target.js';
import type { YMap, YNode } from './yaml-tree.js';

/** `target` may be undefined when it was invalid; the default port is then unknown but no extra
 * problem is reported for it. */
export function normaliseHealth(n: YNode, r: Readers, target: ServiceTarget | undefined): HealthCheck | undefined {
  const m = r.map(n, 'a map with a "type" (tcp, http, command or log)');
  if (!m) return undefined;
  const typeNode = value(m, 'type');
  if (!typeNode) {
    r.problems.error(m.pos, m.path, `missing required field "type" (one of ${HEALTH_CHECK_TYPES.join(', ')})`);
    return undefined;
  }
  const type = typeNode.kind === 'scalar' ? typeNode.value : undefined;
  if (typeof type !== 'string' || !(HEALTH_CHECK_TYPES as readonly string[]).includes(type)) {
    r.problems.error(
      typeNode.pos,
      typeNode.path,
      () => `unknown health check type ${quoted(typeNode)}; expected one of ${HEALTH_CHECK_TYPES.join(', ')}${didYouMean(String(type ?? ''), HEALTH_CHECK_TYPES)}`,
    );
    return undefined;
  }
  const t = type as HealthCheckType;
  r.keys(m, FIELDS.health_check[t]);
  const timing = readTiming(m, r);
  const defaultPort = target ? firstPort(target) : undefined;
  const get = (k: string) => value(m, k);

  switch (t) {
    case 'tcp': {
      const portNode = get('port');
      const port = portNode ? r.port(portNode) : defaultPort;
      const hostNode = get('host');
      const host = hostNode ? r.string(hostNode) : undefined;
      if (!portNode && defaultPort === undefined && target) {
        r.problems.error(m.pos, m.path, 'a tcp health check needs a "port" (the service declares no ports)');
      }
      if (port === undefined || timing === undefined || (hostNode && host === undefined)) return undefined;
      return { type: 'tcp', port, ...(host ? { host } : {}), ...timing };
    }
    case 'http': {
      const url = httpUrl(m, r, defaultPort, target !== undefined);
      const statusNode = get('expect_status');
      const expect_status = statusNode ? r.int(statusNode, 100, 599, 'an HTTP status code') : 0;
      if (url === undefined || expect_status === undefined || timing === undefined) return undefined;
      return { type: 'http', url, expect_status, ...timing };
    }
    case 'command': {
      const c = get('command');
      if (!c) return undefined;
      let command: string[] | undefined;
      if (c.kind === 'scalar') {
        const s = r.string(c);
        command = s === undefined ? undefined : ['sh', '-c', s];
      } else {
        command = r.textList(c);
        if (command && command.length === 0) {
          r.problems.error(c.pos, c.path, 'the command must not be empty');
          command = undefined;
        }
      }
      if (command === undefined || timing === undefined) return undefined;
      return { type: 'command', command, ...timing };
    }
    case 'log': {
      const p = get('pattern');
      const pattern = p ? r.string(p) : undefined;
      if (p && pattern !== undefined) {
        try {
          new RegExp(pattern);
        } catch (err) {
          r.problems.error(p.pos, p.path, `invalid regular expression: ${(err as Error).message}`);
          return undefined;
        }
      }
      const s = get('stream');
      const stream = s ? r.oneOf(s, LOG_STREAMS, 'log stream') : 'any';
      if (pattern === undefined || stream === undefined || timing === undefined) return undefined;
      return { type: 'log', pattern, stream, ...timing };
    }
  }
}

function httpUrl(m: YMap, r: Readers, defaultPort: number | undefined, targetKnown: boolean): string | undefined {
  const urlNode = value(m, 'url');
  const portNode = value(m, 'port');
  const pathNode = value(m, 'path');
  if (urlNode) {
    if (portNode || pathNode) {
      const other = portNode ?? pathNode!;
      r.problems.error(other.pos, other.path, 'give either "url" or "port"/"path", not both');
      return undefined;
    }
    const url = r.string(urlNode);
    if (url === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      r.problems.error(urlNode.pos, urlNode.path, `invalid URL "${url}"`);
      return undefined;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      r.problems.error(urlNode.pos, urlNode.path, `the URL must start with http:// or https://, got "${url}"`);
      return undefined;
    }
    return url;
  }
  const port = portNode ? r.port(portNode) : defaultPort;
  if (!portNode && defaultPort === undefined) {
    if (targetKnown) r.problems.error(m.pos, m.path, 'an http health check needs a "url" or a "port" (the service declares no ports)');
    return undefined;
  }
  let p = '/';
  if (pathNode) {
    const s = r.string(pathNode);
    if (s === undefined) return undefined;
    p = s.startsWith('/') ? s : `/${s}`;
  }
  return port === undefined ? undefined : `http://127.0.0.1:${port}${p}`;
}

function readTiming(m: YMap, r: Readers): HealthTiming | undefined {
  const d = DEFAULTS.health;
  const dur = (k: string, dflt: number, min: number): number | undefined => {
    const n = value(m, k);
    if (!n) return dflt;
    const v = r.duration(n);
    if (v !== undefined && v < min) {
      r.problems.error(n.pos, n.path, `must be at least ${min}ms`);
      return undefined;
    }
    return v;
  };
  const interval_ms = dur('interval', d.interval_ms, DEFAULTS.minIntervalMs);
  // Default: 25ms, but never slower than an `interval` the user made shorter than that.
  const start_interval_ms = dur('start_interval', Math.min(d.start_interval_ms, interval_ms ?? d.interval_ms), DEFAULTS.minIntervalMs);
  const timeout_ms = dur('timeout', d.timeout_ms, 1);
  const start_period_ms = dur('start_period', d.start_period_ms, 0);
  const retriesNode = value(m, 'retries');
  const retries = retriesNode ? r.int(retriesNode, 1, 1000, 'a number of retries (1-1000)') : d.retries;
  if (
    interval_ms === undefined ||
    start_interval_ms === undefined ||
    timeout_ms === undefined ||
    start_period_ms === undefined ||
    retries === undefined
  ) {
    return undefined;
  }
  return { interval_ms, start_interval_ms, timeout_ms, retries, start_period_ms };
}
