// The shared API contract suite, run over `harness serve`'s WebSocket transport (real server on
// 127.0.0.1, real core, real processes).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineContractSuite } from '../api/contract.test-suite.js';
import { startHarnessServer } from './harness-server.js';
import { connectWebSocket } from './ws-connection.js';

defineContractSuite('the WebSocket of harness serve', async (dispatcher) => {
  const staticDir = await mkdtemp(join(tmpdir(), 'harness-ws-static-'));
  await writeFile(join(staticDir, 'index.html'), '<!doctype html>');
  const server = await startHarnessServer({ dispatcher, staticDir });
  const connection = await connectWebSocket(server.url);
  return {
    connection,
    close: async () => {
      await connection.dispose();
      await server.close();
      await rm(staticDir, { recursive: true, force: true });
    },
  };
});
