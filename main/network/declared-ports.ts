// The ports a service says it listens on, as numbers. The first is `<NAME>_PORT`.
import type { ServiceTarget } from '../../shared/config-types.js';

/** For Docker these are container ports ("8080:80" → 80); resolvers that publish map them. */
export function declaredPorts(target: ServiceTarget): number[] {
  if (target.type !== 'Docker') return target.ports ?? [];
  const out: number[] = [];
  for (const p of target.ports ?? []) {
    const n = typeof p === 'number' ? p : Number(p.replace(/\/(tcp|udp|sctp)$/i, '').split(':').at(-1));
    if (Number.isInteger(n) && n > 0 && n < 65536) out.push(n);
  }
  return out;
}
