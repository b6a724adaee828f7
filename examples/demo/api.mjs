// The demo's HTTP API. It finds the store through the variables Harness injects for each
// dependency: STORE_ADDR (host) and STORE_PORT (the store's first declared port).
//   GET  /health        200 once the store answers
//   GET  /api/summary   {greeting, visits, jobs}
//   POST /api/visit     counts a page visit
//   POST /api/job       counts a job done by the worker
import { createServer } from 'node:http';
import { storeCommand } from './kv-client.mjs';

const port = Number(process.env.PORT ?? 17102);
const storeHost = process.env.STORE_ADDR;
const storePort = Number(process.env.STORE_PORT);
if (!storeHost || !storePort) {
  console.error('api: STORE_ADDR/STORE_PORT not set (run me through harness: `harness up`)');
  process.exit(2);
}
const store = (cmd) => storeCommand(storeHost, storePort, cmd);

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  try {
    if (req.method === 'GET' && req.url === '/health') {
      await store('GET greeting');
      return send(res, 200, { ok: true });
    }
    if (req.method === 'GET' && req.url === '/api/summary') {
      const [greeting, visits, jobs] = await Promise.all([store('GET greeting'), store('GET visits'), store('GET jobs')]);
      return send(res, 200, { greeting, visits: Number(visits ?? 0), jobs: Number(jobs ?? 0) });
    }
    if (req.method === 'POST' && (req.url === '/api/visit' || req.url === '/api/job')) {
      const key = req.url === '/api/visit' ? 'visits' : 'jobs';
      const n = Number(await store(`INCR ${key}`));
      console.log(`api: ${key} = ${n}`);
      return send(res, 200, { [key]: n });
    }
    send(res, 404, { error: 'not found' });
  } catch (err) {
    console.error(`api: store error: ${err.message}`);
    send(res, 503, { error: err.message });
  }
});

server.listen(port, '127.0.0.1', () => console.log(`api listening on http://127.0.0.1:${port} (store at ${storeHost}:${storePort})`));

process.on('SIGTERM', () => {
  console.log('api: shutting down');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
