// The one stop/force/exit-code helper of `harness up`, `harness serve` and `__supervise`. Signals
// are delivered with process.emit, which runs exactly the listeners a real signal would.
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from './errors.js';
import { createShutdown, type Shutdown } from './shutdown-signals.js';

const made: Shutdown[] = [];
afterEach(() => {
  for (const s of made.splice(0)) s.dispose();
});

function setup(stop: () => Promise<void> = async () => undefined) {
  const calls: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const shutdown = createShutdown({
    stop: async () => {
      calls.push('stop');
      await gate;
      await stop();
    },
    force: () => calls.push('force'),
    onStopping: (why, signal) => calls.push(`stopping ${why} ${signal ?? '-'}`),
    onForcing: (signal) => calls.push(`forcing ${signal}`),
    onStopped: () => calls.push('stopped'),
  });
  made.push(shutdown);
  return { shutdown, calls, release };
}

describe('createShutdown', () => {
  it('first signal stops gracefully, the second forces, and the exit code is 0 once stopped', async () => {
    const { shutdown, calls, release } = setup();
    shutdown.trapSignals(['SIGINT', 'SIGTERM']);
    process.emit('SIGINT', 'SIGINT');
    expect(shutdown.requested).toBe(true);
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    release();
    expect(await shutdown.done).toBe(EXIT.OK);
    expect(calls).toEqual(['stopping SIGINT SIGINT', 'stop', 'forcing SIGTERM', 'force', 'forcing SIGINT', 'force', 'stopped']);
  });

  it('a request (harness down) stops once; a later signal forces', async () => {
    const { shutdown, calls, release } = setup();
    shutdown.trapSignals(['SIGTERM']);
    const first = shutdown.request('shutdown requested');
    void shutdown.request('again');
    process.emit('SIGTERM', 'SIGTERM');
    release();
    expect(await first).toBe(EXIT.OK);
    expect(calls).toEqual(['stopping shutdown requested -', 'stop', 'forcing SIGTERM', 'force', 'stopped']);
  });

  it('a failed stop exits 1 (or what onError says)', async () => {
    const failing = createShutdown({ stop: async () => Promise.reject(new Error('boom')), force: () => undefined });
    made.push(failing);
    expect(await failing.request('x')).toBe(EXIT.FAILURE);
    const custom = createShutdown({ stop: async () => Promise.reject(new Error('boom')), force: () => undefined, onError: () => 7 });
    made.push(custom);
    expect(await custom.request('x')).toBe(7);
  });

  it('ignores the ignored signals, and dispose removes every handler', () => {
    const { shutdown, calls } = setup();
    const before = { hup: process.listenerCount('SIGHUP'), int: process.listenerCount('SIGINT') };
    shutdown.trapSignals(['SIGINT'], ['SIGHUP']);
    expect(process.listenerCount('SIGHUP')).toBe(before.hup + 1);
    process.emit('SIGHUP', 'SIGHUP');
    expect(calls).toEqual([]);
    expect(shutdown.requested).toBe(false);
    shutdown.dispose();
    expect(process.listenerCount('SIGHUP')).toBe(before.hup);
    expect(process.listenerCount('SIGINT')).toBe(before.int);
  });
});
