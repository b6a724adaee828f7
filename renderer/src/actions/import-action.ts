// File > Import: a docker-compose.yml converted by the core into a services.yaml, with every
// part that could not be converted listed. The core method `project.import` comes from the
// Compose-import work (params {source, target}, result {file, losses}); until the contract names
// it, it is called by name and a core without it answers UNKNOWN_METHOD, shown as such.
import type { ApiClient } from '../../../shared/api-client';

export interface ImportResult {
  file: string;
  losses: string[];
}

type Untyped = (method: string, params: unknown) => Promise<unknown>;

export async function importCompose(client: ApiClient, source: string, target: string): Promise<ImportResult> {
  const invoke = client.invoke.bind(client) as unknown as Untyped;
  const r = (await invoke('project.import', { source, target })) as Partial<ImportResult> | null;
  if (!r || typeof r.file !== 'string') throw new Error('the core answered project.import without a file');
  return { file: r.file, losses: Array.isArray(r.losses) ? r.losses.map(String) : [] };
}
