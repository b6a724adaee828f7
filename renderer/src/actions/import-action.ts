// File > Import: a docker-compose.yml converted by the core into a services.yaml, with every
// part that could not be converted listed (`project.import`).
import type { ApiClient } from '../../../shared/api-client';

export interface ImportResult {
  file: string;
  losses: string[];
}

export function importCompose(client: ApiClient, source: string, target: string): Promise<ImportResult> {
  return client.invoke('project.import', { source, target });
}
