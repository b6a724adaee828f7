// The CLI's compact rendering of pull/build progress, and the echo of Harness's own log lines in
// `up -d` (history and live stream merged, each line once).
import { describe, expect, it } from 'vitest';
import type { LogLine, ProgressEvent } from '../../shared/events.js';
import { formatBytes } from '../../shared/byte-size.js';
import { ProgressPrinter } from './progress-printer.js';
import { SystemLineEcho } from './system-lines.js';

function render(events: Array<Omit<ProgressEvent, 'service'>>): string[] {
  const out: string[] = [];
  const printer = new ProgressPrinter((t) => out.push(t));
  for (const e of events) printer.event({ service: 'db', ...e });
  return out;
}

describe('ProgressPrinter', () => {
  it('prints a pull as a few lines per layer, however many byte updates the engine sends', () => {
    const layer = (item: string, message: string, current?: number, total?: number) => ({ task: 'pull', item, message, current, total });
    const events: Array<Omit<ProgressEvent, 'service'>> = [
      { task: 'pull', message: 'pulling postgres:16' },
      layer('16', 'Pulling from library/postgres'),
      layer('a1b2c3d4e5f6', 'Pulling fs layer'),
      layer('0f9e8d7c6b5a', 'Already exists'),
      layer('a1b2c3d4e5f6', 'Waiting'),
    ];
    for (let i = 1; i <= 200; i++) events.push(layer('a1b2c3d4e5f6', 'Downloading', i * 1000, 200_000));
    events.push(layer('a1b2c3d4e5f6', 'Verifying Checksum'), layer('a1b2c3d4e5f6', 'Download complete'));
    for (let i = 1; i <= 50; i++) events.push(layer('a1b2c3d4e5f6', 'Extracting', i * 4000, 200_000));
    events.push(layer('a1b2c3d4e5f6', 'Pull complete'), { task: 'pull', message: 'pulled postgres:16', done: true });

    expect(render(events)).toEqual([
      'db: pull: pulling postgres:16',
      'db: pull 0f9e8d7c6b5a: Already exists',
      'db: pull a1b2c3d4e5f6: Downloading 195.3 kB',
      'db: pull a1b2c3d4e5f6: Pull complete',
      'db: pull: pulled postgres:16',
    ]);
  });

  it('prints build steps without the builder\'s intermediate noise, and errors always', () => {
    expect(
      render([
        { task: 'build', message: 'building app:dev from /src' },
        { task: 'build', message: 'Step 1/2 : FROM base:1' },
        { task: 'build', message: ' ---> 2762b0a26508' },
        { task: 'build', message: 'Removing intermediate container 1234' },
        { task: 'build', message: '' },
        { task: 'build', message: 'Successfully built 99aa' },
        { task: 'build', message: 'Step 2/2 : CMD ["sh"]' },
        { task: 'pull', item: 'ffeeddccbbaa', message: 'Downloading', error: 'unexpected EOF' },
      ]),
    ).toEqual([
      'db: build: building app:dev from /src',
      'db: build: Step 1/2 : FROM base:1',
      'db: build: Step 2/2 : CMD ["sh"]',
      'db: pull ffeeddccbbaa: unexpected EOF',
    ]);
  });

  it('prints a package transfer as its start, quarters and end, however many byte updates come', () => {
    const id = '20250316T170044Z-a81be40c3f77';
    const total = 48 * 1024 * 1024;
    const events: Array<Omit<ProgressEvent, 'service'>> = [{ task: 'transfer', item: id, message: 'sending app.tar.gz (48.0 MB) to root@10.8.0.2:22', current: 0, total }];
    for (let i = 0; i <= 400; i++) events.push({ task: 'transfer', item: id, message: 'sending', current: Math.floor((i * total) / 400), total });
    events.push({ task: 'transfer', item: id, message: 'sent 48.0 MB', current: total, total, done: true }, { task: 'deploy', message: `verifying the sha256 of ${id}` });
    expect(render(events)).toEqual([
      `db: transfer ${id}: sending app.tar.gz (48.0 MB) to root@10.8.0.2:22`,
      `db: transfer ${id}: 25% of 48.0 MB`,
      `db: transfer ${id}: 50% of 48.0 MB`,
      `db: transfer ${id}: 75% of 48.0 MB`,
      `db: transfer ${id}: sent 48.0 MB`,
      `db: deploy: verifying the sha256 of ${id}`,
    ]);
  });

  it('formats sizes', () => {
    expect([formatBytes(512), formatBytes(2048), formatBytes(5 * 1024 * 1024)]).toEqual(['512 B', '2.0 kB', '5.0 MB']);
  });
});

describe('SystemLineEcho', () => {
  const line = (service: string, n: number, stream: LogLine['stream'] = 'system'): LogLine => ({ service, stream, n, ts: n, line: `${service} ${n}` });

  it('prints system lines of history and live stream once each, live ones after the history', () => {
    const out: string[] = [];
    const echo = new SystemLineEcho((l) => out.push(l.line));
    echo.live([line('api', 3), line('api', 4, 'stdout'), line('db', 1)]);
    echo.history([line('api', 1), line('api', 2, 'stderr'), line('api', 3)]);
    echo.live([line('api', 3), line('api', 5)]);
    expect(out).toEqual(['api 1', 'api 3', 'db 1', 'api 5']);
  });
});
