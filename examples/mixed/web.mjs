// The "web" of the mixed example: a Process service that depends on a container. CACHE_ADDR is
// 127.0.0.1 and CACHE_PORT the cache's published host port (both injected by Harness).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 17202);
const cache = `http://${process.env.CACHE_ADDR}:${process.env.CACHE_PORT}/`;
createServer(async (req, res) => {
  if (req.url === '/health') return void res.end('ok\n');
  try {
    const text = await (await fetch(cache)).text();
    res.end(`web says: ${text}`);
  } catch (err) {
    res.statusCode = 502;
    res.end(`cache at ${cache} failed: ${err.message}\n`);
  }
}).listen(port, '127.0.0.1', () => console.log(`web listening on http://127.0.0.1:${port} (cache at ${cache})`));
