// Reading log history page by page (`logs.page`): every reply stays about one page in size, so a
// history of any size reaches the CLI and the UI over any transport.
import type { ApiClient } from './api-client.js';
import type { LogLine } from './events.js';

export interface HistoryQuery {
  /** Each named service's newest `limit` lines; all services' newest `limit` merged when omitted. */
  services?: string[];
  limit?: number;
}

/** Calls `onPage` with each page's lines, oldest first (awaiting it, so a slow consumer paces
 * the reading); resolves after the last page. */
export async function readLogHistory(
  client: Pick<ApiClient, 'invoke'>,
  query: HistoryQuery,
  onPage: (lines: LogLine[]) => void | Promise<void>,
): Promise<void> {
  let page = await client.invoke('logs.page', query);
  for (;;) {
    await onPage(page.lines);
    if (page.next === null) return;
    const after = page.next;
    page = await client.invoke('logs.page', { ...query, after, until: page.until });
    // A cursor that does not move would read forever; the core never sends one.
    if (page.next !== null && page.next <= after) throw new Error(`log history did not advance past ${after}`);
  }
}

/** The whole history of `query` as one array (the UI's terminals fill from it). */
export async function collectLogHistory(client: Pick<ApiClient, 'invoke'>, query: HistoryQuery): Promise<LogLine[]> {
  const all: LogLine[] = [];
  await readLogHistory(client, query, (lines) => {
    for (const l of lines) all.push(l);
  });
  return all;
}
