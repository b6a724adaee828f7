// Each service of a document as written (JSON form, nothing interpolated or resolved), for
// editors that show and diff against the file's own text rather than the loaded config.
import { isMap } from 'yaml';
import type { RawService } from '../../shared/api.js';
import type { ConfigDocument } from './config-document.js';
import { findService, serviceNames } from './service-locator.js';

// Snapshots are taken often (every project event); a document only changes by being replaced.
const cache = new WeakMap<ConfigDocument, Map<string, RawService>>();

export function rawServices(document: ConfigDocument): Map<string, RawService> {
  const hit = cache.get(document);
  if (hit) return hit;
  const out = new Map<string, RawService>();
  const doc = document.doc;
  if (doc && doc.errors.length === 0) {
    for (const name of new Set(serviceNames(doc))) {
      try {
        const found = findService(doc, name);
        const json: unknown = found?.map.toJSON();
        if (isMap(found?.map) && typeof json === 'object' && json !== null && !Array.isArray(json)) out.set(name, json as RawService);
      } catch {
        // A service written as an alias or an empty value has no raw form an editor can use.
      }
    }
  }
  cache.set(document, out);
  return out;
}
