// The contract suite over the in-memory transport and over the supervisor's Unix socket.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveUnixSocket } from '../supervisor/socket-server.js';
import { openSocketConnection } from '../supervisor/socket-client.js';
import { defineContractSuite } from './contract.test-suite.js';
import { connectInMemory } from './memory-transport.js';
import { ApiDispatcher } from './dispatcher.js';

defineContractSuite('the in-memory transport', async (dispatcher) => {
  const connection = connectInMemory(dispatcher);
  return { connection, close: () => connection.close() };
});

defineContractSuite('the Unix socket', async (dispatcher) => {
  const dir = await mkdtemp(join(tmpdir(), 'harness-sock-'));
  const server = await serveUnixSocket(dispatcher, join(dir, 'supervisor.sock'));
  const socket = await openSocketConnection(server.path);
  if (!socket) throw new Error('could not connect to the socket just served');
  return {
    connection: socket.connection,
    close: async () => {
      socket.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('Unix socket transport', () => {
  const idle = new ApiDispatcher({} as never, { subscribe: () => () => undefined });

  it('is owner-only and removed on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-sock-'));
    try {
      const server = await serveUnixSocket(idle, join(dir, 's.sock'));
      expect((await stat(server.path)).mode & 0o777).toBe(0o600);
      await server.close();
      await expect(stat(server.path)).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers garbage with BAD_REQUEST and keeps serving', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-sock-'));
    const { connect } = await import('node:net');
    try {
      const server = await serveUnixSocket(idle, join(dir, 's.sock'));
      const sock = connect(server.path);
      const replies: string[] = [];
      sock.setEncoding('utf8');
      sock.on('data', (d: string) => replies.push(...d.split('\n').filter(Boolean)));
      sock.write('not json\n{"t":"req","id":7,"method":"nope","params":{}}\n');
      const deadline = Date.now() + 5000;
      while (replies.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const parsed = replies.map((r) => JSON.parse(r) as { id: number; result: { ok: boolean; error?: { code: string } } });
      expect(parsed[0].result.error?.code).toBe('BAD_REQUEST');
      expect(parsed[1]).toMatchObject({ id: 7, result: { ok: false, error: { code: 'UNKNOWN_METHOD' } } });
      sock.destroy();
      await server.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
