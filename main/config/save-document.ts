// Saving and creating services.yaml files.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { HarnessError } from '../../shared/errors.js';
import { writeFileAtomic } from '../os/atomic-write.js';
import { packageRoot } from '../os/package-root.js';
import type { ConfigDocument } from './config-document.js';

/** Writes the document's text atomically. Refuses text that no longer parses as YAML, so a bad
 * edit can never replace a good file. */
export async function saveDocument(doc: ConfigDocument, file: string = doc.file): Promise<void> {
  const check = parseDocument(doc.text, { uniqueKeys: true });
  if (check.errors.length > 0) {
    throw new HarnessError('CONFIG_INVALID', `refusing to save ${file}: the text is not valid YAML (${check.errors[0].message})`);
  }
  try {
    await writeFileAtomic(path.resolve(file), doc.text);
  } catch (err) {
    throw new HarnessError('INTERNAL', `cannot save ${file}: ${(err as Error).message}`, { cause: (err as NodeJS.ErrnoException).code });
  }
}

/** The `$schema` line editors (yaml-language-server) use for completion and checks. */
export const SCHEMA_URL = 'https://raw.githubusercontent.com/harness-app/harness/main/schema/services.schema.json';

export function newProjectText(schemaUrl = SCHEMA_URL): string {
  return `# yaml-language-server: $schema=${schemaUrl}
# Harness stack. Reference: docs/services-yaml.md
# Each service has a target (Process, Docker, RemoteLan or Wireguard), optional dependencies
# (started and ready before it) and an optional health_check that defines "ready".
services:
  - name: hello
    target:
      type: Process
      binary: node
      args: [-e, "setInterval(() => console.log('hello'), 1000)"]
    # health_check: {type: log, pattern: hello}
`;
}

/** The schema shipped with this package, relative to `fromDir` (editors accept relative paths),
 * or the published URL when the package's schema file is not found. */
export function schemaRefFor(fromDir: string): string {
  const root = packageRoot();
  const candidate = root ? path.join(root, 'schema', 'services.schema.json') : null;
  if (candidate && existsSync(candidate)) return path.relative(fromDir, candidate).split(path.sep).join('/');
  return SCHEMA_URL;
}

/** Creates a new commented services.yaml; refuses to overwrite an existing file. */
export async function createProjectFile(file: string, opts: { schemaUrl?: string } = {}): Promise<void> {
  const abs = path.resolve(file);
  try {
    await writeFileAtomic(abs, newProjectText(opts.schemaUrl ?? schemaRefFor(path.dirname(abs))), { exclusive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new HarnessError('CONFLICT', `${file} already exists; not overwriting it`);
    throw new HarnessError('INTERNAL', `cannot create ${file}: ${(err as Error).message}`);
  }
}
