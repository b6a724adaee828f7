// `volumes:` entries of a Docker target: "SRC:DST[:ro|rw]". SRC is an absolute host path (bind
// mount; the loader already resolved relative paths against services.yaml) or a volume name (a
// named volume, scoped to the project, created and labelled when missing). A lone "DST" is an
// anonymous volume.
import { isAbsolute } from 'node:path';
import { HarnessError } from '../../../shared/errors.js';

export type VolumeMount =
  | { kind: 'bind'; source: string; target: string; readOnly: boolean }
  | { kind: 'volume'; name: string; target: string; readOnly: boolean }
  | { kind: 'anonymous'; target: string; readOnly: boolean };

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function parseVolume(spec: string, where: string): VolumeMount {
  const bad = (why: string): HarnessError =>
    new HarnessError('CONFIG_INVALID', `${where}: ${JSON.stringify(spec)} ${why} (expected "./data:/data", "/abs:/data:ro" or "name:/data")`);
  const parts = spec.split(':');
  let readOnly = false;
  const last = parts[parts.length - 1];
  if (parts.length >= 2 && (last === 'ro' || last === 'rw' || /^(ro|rw),/.test(last) || /,(ro|rw)$/.test(last))) {
    readOnly = last.split(',').includes('ro');
    parts.pop();
  }
  if (parts.length === 1) {
    if (!isAbsolute(parts[0])) throw bad('has a relative container path');
    return { kind: 'anonymous', target: parts[0], readOnly };
  }
  if (parts.length !== 2) throw bad('has too many ":"');
  const [source, target] = parts;
  if (!isAbsolute(target)) throw bad(`has a relative container path "${target}"`);
  if (isAbsolute(source)) return { kind: 'bind', source, target, readOnly };
  if (!VOLUME_NAME.test(source)) throw bad(`has source "${source}" that is neither an absolute path nor a volume name`);
  return { kind: 'volume', name: source, target, readOnly };
}

export function parseVolumes(specs: string[], service: string): VolumeMount[] {
  return specs.map((spec, i) => parseVolume(spec, `service "${service}": target.volumes[${i}]`));
}
