// The one-time link of `harness serve`: POST /api/session trades a code for the token exactly
// once, same origin and JSON only.
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../shared/api-client.js';
import { startHarnessServer, type HarnessServer } from './harness-server.js';
import { createFakeCore } from './test-support/fake-core.js';
import { connectWebSocket } from './ws-connection.js';

let server: HarnessServer;
let staticDir: string;

beforeAll(async () => {
  staticDir = await mkdtemp(join(tmpdir(), 'harness-static-'));
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Harness</title>');
  server = await startHarnessServer({ dispatcher: createFakeCore().dispatcher, staticDir });
});

afterAll(async () => {
  await server?.close();
  await rm(staticDir, { recursive: true, force: true });
});

interface Exchange {
  code?: unknown;
  body?: string;
  origin?: string | null;
  host?: string;
  method?: string;
  contentType?: string;
}

function exchange(e: Exchange): Promise<{ status: number; body: Record<string, unknown> }> {
  const host = e.host ?? `127.0.0.1:${server.port}`;
  const body = e.body ?? JSON.stringify({ code: e.code });
  const headers: Record<string, string> = { Host: host, 'Content-Type': e.contentType ?? 'application/json' };
  if (e.origin !== null) headers.Origin = e.origin ?? `http://${host}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: '/api/session', method: e.method ?? 'POST', headers, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let parsed: Record<string, unknown>;
        try {
          parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          parsed = { text };
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(e.method === 'GET' ? undefined : body);
  });
}

const codeOf = (link: string): string => new URL(link).searchParams.get('code') as string;

describe('harness serve: one-time links', () => {
  it('a link holds a code, not the token', () => {
    const link = server.issueLink();
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?code=[A-Za-z0-9_-]{43}$`));
    expect(link).not.toContain(server.token);
  });

  it('a code gives the token once, and that token opens the API; the second use is refused', async () => {
    const code = codeOf(server.issueLink());
    const first = await exchange({ code });
    expect(first).toEqual({ status: 200, body: { token: server.token } });
    const conn = await connectWebSocket(`http://127.0.0.1:${server.port}/?token=${encodeURIComponent(first.body.token as string)}`);
    try {
      expect((await new ApiClient(conn).invoke('supervisor.info', {})).version).toBe('test');
    } finally {
      await conn.dispose();
    }
    const second = await exchange({ code });
    expect(second.status).toBe(401);
    expect(second.body.token).toBeUndefined();
    expect(String(second.body.error)).toContain('already used');
  });

  it('codes are independent: using one leaves the others valid', async () => {
    const a = codeOf(server.issueLink());
    const b = codeOf(server.issueLink());
    expect(a).not.toBe(b);
    expect((await exchange({ code: b })).status).toBe(200);
    expect((await exchange({ code: a })).status).toBe(200);
  });

  it('refuses unknown codes, other origins, rebinding Hosts, non-JSON, GET and big bodies', async () => {
    expect((await exchange({ code: 'x'.repeat(43) })).status).toBe(401);
    expect((await exchange({ code: 42 })).status).toBe(401);
    const code = codeOf(server.issueLink());
    expect((await exchange({ code, origin: 'http://evil.example' })).status).toBe(403);
    expect((await exchange({ code, origin: null })).status).toBe(403);
    expect((await exchange({ code, host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await exchange({ code, contentType: 'text/plain' })).status).toBe(415);
    expect((await exchange({ code, method: 'GET' })).status).toBe(405);
    expect((await exchange({ body: JSON.stringify({ code, pad: 'x'.repeat(2000) }) })).status).toBe(413);
    expect((await exchange({ body: '{not json' })).status).toBe(400);
    // None of those spent the code.
    expect((await exchange({ code })).status).toBe(200);
  });
});
