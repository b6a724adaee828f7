// A storm of connects to the supervisor socket: the listen backlog takes it, and the client
// retries a full backlog (EAGAIN) or a refusal while a supervisor is about to listen, briefly,
// before it reports the supervisor gone.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../shared/api-client.js';
import { HarnessError } from '../../shared/errors.js';
import { ApiDispatcher } from '../api/dispatcher.js';
import { openSocketConnection } from './socket-client.js';
import { serveUnixSocket } from './socket-server.js';

const info = { pid: process.pid, file: null, project: null, startedAt: 0, version: 'test' };
const dispatcher = new ApiDispatcher({ 'supervisor.info': () => info } as never, { subscribe: () => () => undefined });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-storm-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function connectAndAsk(path: string): Promise<string> {
  const socket = await openSocketConnection(path);
  if (!socket) return 'no supervisor';
  try {
    const got = await new ApiClient(socket.connection).invoke('supervisor.info', {});
    return got.version;
  } finally {
    socket.close();
  }
}

describe('supervisor socket under a storm of connects', () => {
  it('200 concurrent clients all connect and get an answer', async () => {
    const server = await serveUnixSocket(dispatcher, join(dir, 's.sock'));
    try {
      const answers = await Promise.all(Array.from({ length: 200 }, () => connectAndAsk(server.path)));
      expect(answers.filter((a) => a !== 'test')).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('1000 connects issued at once all succeed (more than Node\'s default backlog of 511)', async () => {
    const server = await serveUnixSocket(dispatcher, join(dir, 's.sock'));
    try {
      const answers = await Promise.all(Array.from({ length: 1000 }, () => connectAndAsk(server.path)));
      expect(answers.filter((a) => a !== 'test')).toEqual([]);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('a client retries EAGAIN from a full backlog until the server takes it', async () => {
    // Backlog 1: all but a couple of 200 simultaneous connects are refused with EAGAIN at first.
    const path = join(dir, 'tiny.sock');
    const accepted: Socket[] = [];
    const server: Server = createServer((s) => accepted.push(s));
    await new Promise<void>((r) => server.listen({ path, backlog: 1 }, () => r()));
    try {
      const raw = await Promise.all(
        Array.from({ length: 200 }, () => new Promise<string>((r) => {
          const s = connect(path);
          s.once('connect', () => (s.destroy(), r('ok')));
          s.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error'));
        })),
      );
      // The premise: without retrying, a full backlog really does refuse connects.
      expect(raw.filter((r) => r === 'EAGAIN').length).toBeGreaterThan(0);
      const sockets = await Promise.all(Array.from({ length: 200 }, () => openSocketConnection(path)));
      expect(sockets.filter((s) => s === null)).toHaveLength(0);
      for (const s of sockets) s?.close();
    } finally {
      for (const s of accepted) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('reports UNAVAILABLE (not "no supervisor") when the backlog stays full past the retry time', async () => {
    // A server that never accepts: its event loop is blocked right after listen.
    const path = join(dir, 'stuck.sock');
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen({ path: ${JSON.stringify(path)}, backlog: 1 }, () => {
         process.stdout.write('listening\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000);
       });`,
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    const fillers: Socket[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`stuck server exited early (${code})`)));
      });
      // Fill the backlog (backlog 1 queues two connections).
      for (let i = 0; i < 4; i++) {
        const s = connect(path);
        s.on('error', () => undefined);
        fillers.push(s);
      }
      await new Promise((r) => setTimeout(r, 100));
      const err = await openSocketConnection(path, { retryMs: 300 }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('UNAVAILABLE');
      expect((err as HarnessError).message).toContain(path);
    } finally {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    }
  });

  it('retries a refusal only while a live supervisor is expected to listen', async () => {
    const path = join(dir, 'late.sock');
    expect(await openSocketConnection(path, { expectListener: () => false })).toBeNull();
    // Expected: the connect keeps trying until the (late) listener is there.
    let server: Awaited<ReturnType<typeof serveUnixSocket>> | null = null;
    const late = setTimeout(() => void serveUnixSocket(dispatcher, path).then((s) => (server = s)), 300);
    try {
      const socket = await openSocketConnection(path, { expectListener: () => true, retryMs: 10_000 });
      expect(socket).not.toBeNull();
      socket?.close();
    } finally {
      clearTimeout(late);
      await (server as { close(): Promise<void> } | null)?.close();
    }
  });
});
