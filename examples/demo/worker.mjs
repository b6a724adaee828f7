// The demo's background worker: logs steadily and reports each "job" to the API. Its readiness is
// a log line ("worker ready"), so it shows the log-line health check.
import { request } from 'node:http';

const apiHost = process.env.API_ADDR;
const apiPort = Number(process.env.API_PORT);
const everyMs = Number(process.env.WORKER_INTERVAL_MS ?? 1000);
if (!apiHost || !apiPort) {
  console.error('worker: API_ADDR/API_PORT not set (run me through harness: `harness up`)');
  process.exit(2);
}

let job = 0;
function tick() {
  job += 1;
  const n = job;
  const req = request({ host: apiHost, port: apiPort, method: 'POST', path: '/api/job', timeout: 2000 }, (res) => {
    res.resume();
    if (res.statusCode === 200) console.log(`worker: job ${n} done`);
    else console.error(`worker: job ${n} failed: api answered ${res.statusCode}`);
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (err) => console.error(`worker: job ${n} failed: ${err.message}`));
  req.end();
}

console.log(`worker ready (api at ${apiHost}:${apiPort}, one job every ${everyMs} ms)`);
const timer = setInterval(tick, everyMs);

process.on('SIGTERM', () => {
  clearInterval(timer);
  console.log(`worker: shutting down after ${job} jobs`);
  process.exit(0);
});
