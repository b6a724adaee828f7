// Each ConfigEdit as a minimal text splice (so untouched bytes stay identical), with a fallback
// through yaml's AST for shapes the splices do not handle (flow-style collections, aliases).
// A splice op returns null to ask for the fallback.
import { isMap, isScalar, isSeq, type Document, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import type { ConfigEdit } from '../../shared/api.js';
import { HarnessError } from '../../shared/errors.js';
import { mustFindService, servicesNode } from './service-locator.js';
import { nameProblem, renameAst, renameSplice } from './rename-service.js';
import { setFieldAst, setFieldSplice } from './set-field.js';
import {
  afterLine, applySplices, blockLines, column, dashColumn, inlineScalar, insertLines, lineStart, rangeOf, type Splice,
} from './text-splice.js';

type Op<E extends ConfigEdit['op']> = (text: string, doc: Document, edit: Extract<ConfigEdit, { op: E }>) => string | null;

/** `key: value` added to a map, or the value of an existing key replaced; `value` is inline YAML. */
function setKey(text: string, map: YAMLMap, key: string, value: string): Splice | null {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
  if (pair) {
    const v = pair.value;
    const r = rangeOf(v as never);
    if (!r) return null;
    if (isScalar(v) && v.value === null && r[0] === r[1]) {
      return { start: r[0], end: r[1], text: (text[r[0] - 1] === ':' ? ' ' : '') + value };
    }
    return { start: r[0], end: r[1], text: value };
  }
  const mr = rangeOf(map);
  if (!mr) return null;
  if (map.flow) {
    const close = text.lastIndexOf('}', mr[1] - 1);
    if (close < mr[0]) return null;
    return { start: close, end: close, text: `${map.items.length > 0 ? ', ' : ''}${key}: ${value}` };
  }
  const first = rangeOf(map.items[0]?.key as never);
  const last = map.items[map.items.length - 1];
  const lastEnd = rangeOf((last?.value ?? last?.key) as never)?.[1];
  if (!first || lastEnd === undefined) return null;
  return insertLines(text, afterLine(text, lastEnd), `${' '.repeat(column(text, first[0]))}${key}: ${value}\n`);
}

const setPosition: Op<'setPosition'> = (text, doc, e) => {
  const svc = mustFindService(doc, e.service);
  const x = Math.round(e.x);
  const y = Math.round(e.y);
  const ui = svc.map.get('ui', true);
  const pos = isMap(ui) ? ui.get('position', true) : undefined;
  if (isMap(pos)) {
    const xs = pos.get('x', true);
    const ys = pos.get('y', true);
    const xr = isScalar(xs) ? rangeOf(xs) : undefined;
    const yr = isScalar(ys) ? rangeOf(ys) : undefined;
    if (xr && yr) {
      return applySplices(text, [
        { start: xr[0], end: xr[1], text: String(x) },
        { start: yr[0], end: yr[1], text: String(y) },
      ]);
    }
  }
  const s = isMap(ui)
    ? setKey(text, ui, 'position', `{x: ${x}, y: ${y}}`)
    : setKey(text, svc.map, 'ui', `{position: {x: ${x}, y: ${y}}}`);
  return s ? applySplices(text, [s]) : null;
};

const addDependency: Op<'addDependency'> = (text, doc, e) => {
  const svc = mustFindService(doc, e.service);
  const deps = svc.map.get('dependencies', true);
  const dep = inlineScalar(e.dependency);
  if (isSeq(deps)) {
    if (deps.items.some((it) => isScalar(it) && it.value === e.dependency)) return text;
    const r = rangeOf(deps);
    if (!r) return null;
    if (deps.flow) {
      const close = text.lastIndexOf(']', r[1] - 1);
      if (close < r[0]) return null;
      return applySplices(text, [{ start: close, end: close, text: `${deps.items.length > 0 ? ', ' : ''}${dep}` }]);
    }
    const last = rangeOf(deps.items[deps.items.length - 1] as never);
    const dash = last ? dashColumn(text, last[0]) : undefined;
    if (!last || dash === undefined) return null;
    return applySplices(text, [insertLines(text, afterLine(text, last[1]), `${' '.repeat(dash)}- ${dep}\n`)]);
  }
  if (deps !== undefined && !(isScalar(deps) && deps.value === null)) return null;
  const s = setKey(text, svc.map, 'dependencies', `[${dep}]`);
  return s ? applySplices(text, [s]) : null;
};

const removeDependency: Op<'removeDependency'> = (text, doc, e) => {
  const svc = mustFindService(doc, e.service);
  const deps = svc.map.get('dependencies', true);
  if (!isSeq(deps)) return text;
  const i = deps.items.findIndex((it) => isScalar(it) && it.value === e.dependency);
  if (i < 0) return text;
  return removeSeqItem(text, deps, i);
};

function removeSeqItem(text: string, seq: YAMLSeq, i: number): string | null {
  const r = rangeOf(seq.items[i] as never);
  if (!r) return null;
  if (seq.flow) {
    const next = rangeOf(seq.items[i + 1] as never);
    const prev = rangeOf(seq.items[i - 1] as never);
    if (next) return applySplices(text, [{ start: r[0], end: next[0], text: '' }]);
    if (prev) return applySplices(text, [{ start: prev[1], end: r[1], text: '' }]);
    return applySplices(text, [{ start: r[0], end: r[1], text: '' }]);
  }
  if (dashColumn(text, r[0]) === undefined) return null;
  // Removing the last item leaves `key:` with no value, which the loader reads as an empty list.
  return applySplices(text, [{ start: lineStart(text, r[0]), end: afterLine(text, r[1]), text: '' }]);
}

const removeService: Op<'removeService'> = (text, doc, e) => {
  const svc = mustFindService(doc, e.name);
  if (svc.collection.flow) return null;
  if (svc.form === 'list') return removeSeqItem(text, svc.collection as YAMLSeq, svc.index);
  const kr = rangeOf(svc.pair!.key as never);
  const vr = rangeOf(svc.map);
  if (!kr || !vr || svc.map.flow) return null;
  return applySplices(text, [{ start: lineStart(text, kr[0]), end: afterLine(text, vr[1]), text: '' }]);
};

function serviceName(raw: Record<string, unknown>, fallback?: string): string {
  const n = raw.name ?? fallback;
  if (typeof n !== 'string' || n === '') throw new HarnessError('BAD_REQUEST', 'the service needs a "name" (a string)');
  return n;
}

/** The raw service with `name` first (list form) or without it (map form). */
function shaped(raw: Record<string, unknown>, name: string, form: 'list' | 'map'): Record<string, unknown> {
  const { name: _drop, ...rest } = raw;
  return form === 'list' ? { name, ...rest } : rest;
}

/** A name already taken, in the loader's words (an invalid name is left for the loader to report
 * at its field, so the file can still be fixed from the app). */
function refuseTaken(text: string, doc: Document, name: string, except?: string): void {
  const problem = nameProblem(text, doc, name, except);
  if (problem?.code === 'CONFLICT') throw problem;
}

const addService: Op<'addService'> = (text, doc, e) => {
  const name = serviceName(e.service);
  refuseTaken(text, doc, name);
  const s = servicesNode(doc);
  if (s.form === 'none' || s.node.flow || s.node.items.length === 0) return null;
  if (s.form === 'list') {
    const last = rangeOf(s.node.items[s.node.items.length - 1] as never);
    const first = rangeOf(s.node.items[0] as never);
    const dash = first ? dashColumn(text, first[0]) : undefined;
    if (!last || !first || dash === undefined) return null;
    const body = blockLines(shaped(e.service, name, 'list'), dash + 2);
    const lines = `${' '.repeat(dash)}- ${body.slice(dash + 2)}`;
    return applySplices(text, [insertLines(text, afterLine(text, last[1]), lines)]);
  }
  const firstKey = rangeOf(s.node.items[0].key as never);
  const last = s.node.items[s.node.items.length - 1];
  const lastEnd = rangeOf((last.value ?? last.key) as never)?.[1];
  if (!firstKey || lastEnd === undefined) return null;
  const col = column(text, firstKey[0]);
  const lines = `${' '.repeat(col)}${inlineScalar(name)}:\n${blockLines(shaped(e.service, name, 'map'), col + 2)}`;
  return applySplices(text, [insertLines(text, afterLine(text, lastEnd), lines)]);
};

const updateService: Op<'updateService'> = (text, doc, e) => {
  const svc = mustFindService(doc, e.name);
  const name = serviceName(e.service, e.name);
  refuseTaken(text, doc, name, e.name);
  const r = rangeOf(svc.map);
  if (!r || svc.map.flow || svc.collection.flow) return null;
  if (svc.form === 'list') {
    const col = column(text, r[0]);
    const body = blockLines(shaped(e.service, name, 'list'), col);
    return applySplices(text, [{ start: r[0], end: afterLine(text, r[1]), text: body.slice(col) }]);
  }
  const kr = rangeOf(svc.pair!.key as never);
  if (!kr || lineStart(text, r[0]) === lineStart(text, kr[0])) return null;
  const col = column(text, r[0]);
  return applySplices(text, [
    { start: lineStart(text, r[0]), end: afterLine(text, r[1]), text: blockLines(shaped(e.service, name, 'map'), col) },
    { start: kr[0], end: kr[1], text: inlineScalar(name) },
  ]);
};

export const SPLICE_OPS: { [E in ConfigEdit['op']]: Op<E> } = {
  setPosition,
  addDependency,
  removeDependency,
  removeService,
  addService,
  updateService,
  renameService: renameSplice,
  setField: setFieldSplice,
};

/** The same edit through yaml's AST; re-serialises the whole document (comments kept). */
export function astEdit(doc: Document, e: ConfigEdit): string {
  const d = doc.clone();
  switch (e.op) {
    case 'setPosition': {
      const svc = mustFindService(d, e.service);
      svc.map.setIn(['ui', 'position'], d.createNode({ x: Math.round(e.x), y: Math.round(e.y) }, { flow: true }));
      break;
    }
    case 'addDependency': {
      const svc = mustFindService(d, e.service);
      const deps = svc.map.get('dependencies', true);
      if (isSeq(deps)) {
        if (!deps.items.some((it) => isScalar(it) && it.value === e.dependency)) deps.add(d.createNode(e.dependency));
      } else svc.map.set('dependencies', d.createNode([e.dependency], { flow: true }));
      break;
    }
    case 'removeDependency': {
      const deps = mustFindService(d, e.service).map.get('dependencies', true);
      if (isSeq(deps)) {
        const i = deps.items.findIndex((it) => isScalar(it) && it.value === e.dependency);
        if (i >= 0) deps.delete(i);
      }
      break;
    }
    case 'removeService': {
      const svc = mustFindService(d, e.name);
      svc.collection.items.splice(svc.index, 1);
      break;
    }
    case 'addService': {
      const name = serviceName(e.service);
      refuseTaken(d.toString(), d, name);
      const s = servicesNode(d);
      if (s.form === 'map') s.node.set(d.createNode(name), d.createNode(shaped(e.service, name, 'map')));
      else if (s.form === 'list') s.node.add(d.createNode(shaped(e.service, name, 'list')));
      else if (isMap(d.contents)) d.contents.set('services', d.createNode([shaped(e.service, name, 'list')]));
      else d.contents = d.createNode({ services: [shaped(e.service, name, 'list')] }) as never;
      break;
    }
    case 'updateService': {
      const svc = mustFindService(d, e.name);
      const name = serviceName(e.service, e.name);
      refuseTaken(d.toString(), d, name, e.name);
      if (svc.form === 'list') (svc.collection as YAMLSeq).items[svc.index] = d.createNode(shaped(e.service, name, 'list'));
      else svc.collection.items[svc.index] = d.createPair(name, shaped(e.service, name, 'map')) as never;
      break;
    }
    case 'setField':
      setFieldAst(d, e);
      break;
    case 'renameService':
      renameAst(d, e);
      break;
  }
  return d.toString();
}
