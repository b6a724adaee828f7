// The demo's web front: a page that shows live data from the API (reached via API_ADDR/API_PORT,
// injected by Harness). The browser only talks to this server; /data is fetched server-side.
import { createServer, request } from 'node:http';

const port = Number(process.env.PORT ?? 17103);
const apiHost = process.env.API_ADDR;
const apiPort = Number(process.env.API_PORT);
if (!apiHost || !apiPort) {
  console.error('web: API_ADDR/API_PORT not set (run me through harness: `harness up`)');
  process.exit(2);
}

function callApi(method, path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: apiHost, port: apiPort, method, path, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`api answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('api timed out')));
    req.on('error', reject);
    req.end();
  });
}

const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>Harness demo</title>
<style>body{font:16px system-ui;margin:3rem auto;max-width:36rem} b{font-size:2rem}</style></head>
<body><h1>Harness demo</h1><p id="greeting">…</p>
<p>Visits: <b id="visits">-</b> &nbsp; Jobs done by the worker: <b id="jobs">-</b></p>
<script>
async function refresh() {
  const r = await fetch('/data'); const d = await r.json();
  for (const k of ['greeting', 'visits', 'jobs']) document.getElementById(k).textContent = d[k];
}
fetch('/visit', { method: 'POST' }).then(refresh); setInterval(refresh, 1000);
</script></body></html>`;

const server = createServer(async (req, res) => {
  try {
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page);
    }
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('ok');
    }
    if (req.url === '/data' || (req.url === '/visit' && req.method === 'POST')) {
      const data = await callApi(req.method === 'POST' ? 'POST' : 'GET', req.method === 'POST' ? '/api/visit' : '/api/summary');
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(data));
    }
    res.writeHead(404).end();
  } catch (err) {
    console.error(`web: ${err.message}`);
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message }));
  }
});

server.listen(port, '127.0.0.1', () => console.log(`web listening on http://127.0.0.1:${port} (api at ${apiHost}:${apiPort})`));

process.on('SIGTERM', () => {
  console.log('web: shutting down');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
