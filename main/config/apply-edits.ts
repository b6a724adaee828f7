// Applies ConfigEdits to a loaded document and re-validates. All or nothing: an edit that cannot
// apply throws a HarnessError and the given document is left as it was.
import { isScalar, isSeq, type Document } from 'yaml';
import type { ConfigEdit, RawService } from '../../shared/api.js';
import { HarnessError } from '../../shared/errors.js';
import type { ConfigDocument, LoadResult } from './config-document.js';
import { astEdit, SPLICE_OPS } from './edit-ops.js';
import { parseProject } from './parse-project.js';
import { renameRefusal, type RenameEdit } from './rename-service.js';
import { findService, serviceNames } from './service-locator.js';
import { checkSetField } from './set-field.js';
import { parseYaml } from './yaml-parse.js';

export function applyEdits(document: ConfigDocument, edits: ConfigEdit[]): LoadResult {
  if (!document.doc || document.doc.errors.length > 0) {
    throw new HarnessError('CONFIG_INVALID', `${document.file} has YAML syntax errors; fix them before editing`);
  }
  let text = document.text;
  let doc: Document = document.doc;
  const queue = [...edits];
  for (let edit = queue.shift(); edit; edit = queue.shift()) {
    checkEdit(edit);
    if (edit.op === 'removeService') {
      // Deleting a node deletes its edges: drop the name from every dependent first.
      const dependents = dependentsOf(doc, edit.name);
      if (dependents.length > 0) {
        queue.unshift(...dependents.map((s): ConfigEdit => ({ op: 'removeDependency', service: s, dependency: edit!.name })), edit);
        continue;
      }
    }
    const op = SPLICE_OPS[edit.op] as (t: string, d: Document, e: ConfigEdit) => string | null;
    let next = op(text, doc, edit);
    let nextDoc = next === null ? undefined : parseYaml(next);
    // A splice that broke the YAML would be a bug here; the AST path is always well-formed.
    if (next === null || !nextDoc || nextDoc.errors.length > 0) {
      next = astEdit(doc, edit);
      nextDoc = parseYaml(next);
    }
    text = next;
    doc = nextDoc;
  }
  const result = parseProject(text, document.file, document.env);
  const renames = edits.filter((e): e is RenameEdit => e.op === 'renameService' && e.to !== e.name);
  if (renames.length > 0) {
    const refusal = renameRefusal(parseProject(document.text, document.file, document.env).problems, result.problems, renames);
    if (refusal) throw new HarnessError('CONFLICT', `cannot rename: ${refusal}`);
  }
  return result;
}

function dependentsOf(doc: Document, name: string): string[] {
  return serviceNames(doc).filter((s) => {
    const deps = findService(doc, s)?.map.get('dependencies', true);
    return s !== name && isSeq(deps) && deps.items.some((it) => isScalar(it) && it.value === name);
  });
}

function checkEdit(edit: ConfigEdit): void {
  if (edit.op === 'addService' || edit.op === 'updateService') {
    if (!isRawService(edit.service)) throw new HarnessError('BAD_REQUEST', `${edit.op}: "service" must be an object`);
  }
  if (edit.op === 'setPosition' && !(Number.isFinite(edit.x) && Number.isFinite(edit.y))) {
    throw new HarnessError('BAD_REQUEST', `setPosition: x and y must be finite numbers`);
  }
  if (edit.op === 'setField') checkSetField(edit);
}

function isRawService(v: unknown): v is RawService {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
