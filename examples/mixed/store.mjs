// The "store" of the mixed example: a Process service that a container depends on. It listens on
// 0.0.0.0 because containers reach this machine through the Docker bridge's gateway, not through
// 127.0.0.1 (Harness warns in the dependent's log when a process listens on loopback only).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 17201);
createServer((req, res) => {
  console.log(`store: ${req.method} ${req.url} from ${req.socket.remoteAddress}`);
  if (req.url === '/greeting') res.end('hello from the store');
  else {
    res.statusCode = 404;
    res.end('not found\n');
  }
}).listen(port, '0.0.0.0', () => console.log(`store listening on 0.0.0.0:${port}`));
