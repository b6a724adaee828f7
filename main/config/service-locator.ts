// Finds a service's nodes in a yaml Document, in either form of `services:`.
import { isMap, isPair, isScalar, isSeq, type Document, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { HarnessError } from '../../shared/errors.js';

export type ServicesNode = { form: 'list'; node: YAMLSeq } | { form: 'map'; node: YAMLMap } | { form: 'none' };

export interface LocatedService {
  form: 'list' | 'map';
  collection: YAMLSeq | YAMLMap;
  index: number;
  /** The service's own map. */
  map: YAMLMap;
  /** Map form: the `name: {…}` pair. */
  pair?: Pair;
}

export function servicesNode(doc: Document): ServicesNode {
  if (!isMap(doc.contents)) return { form: 'none' };
  const v = doc.contents.get('services', true);
  if (isSeq(v)) return { form: 'list', node: v };
  if (isMap(v)) return { form: 'map', node: v };
  return { form: 'none' };
}

export function serviceNames(doc: Document): string[] {
  const s = servicesNode(doc);
  if (s.form === 'list') return s.node.items.map((it) => (isMap(it) ? String(it.get('name') ?? '') : ''));
  if (s.form === 'map') return s.node.items.map((p) => (isPair(p) && isScalar(p.key) ? String(p.key.value) : ''));
  return [];
}

export function findService(doc: Document, name: string): LocatedService | undefined {
  const s = servicesNode(doc);
  if (s.form === 'list') {
    const index = s.node.items.findIndex((it) => isMap(it) && it.get('name') === name);
    if (index < 0) return undefined;
    return { form: 'list', collection: s.node, index, map: s.node.items[index] as YAMLMap };
  }
  if (s.form === 'map') {
    const index = s.node.items.findIndex((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === name);
    if (index < 0) return undefined;
    const pair = s.node.items[index];
    if (!isMap(pair.value)) {
      throw new HarnessError('BAD_REQUEST', `service "${name}" is not written as a map (an alias or an empty value) and cannot be edited`);
    }
    return { form: 'map', collection: s.node, index, map: pair.value, pair };
  }
  return undefined;
}

export function mustFindService(doc: Document, name: string): LocatedService {
  const found = findService(doc, name);
  if (!found) throw new HarnessError('NOT_FOUND', `no service named "${name}" in the file`);
  return found;
}
