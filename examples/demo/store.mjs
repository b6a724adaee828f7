// A tiny TCP key-value store for the demo stack. One command per line:
//   SET key value  -> OK        GET key -> VALUE value | NIL
//   INCR key       -> VALUE n   KEYS    -> VALUE k1,k2,…
// Listens on 127.0.0.1:$PORT (default 17101). No dependencies beyond Node.
import { createServer } from 'node:net';

const port = Number(process.env.PORT ?? 17101);
const data = new Map([['greeting', 'hello from the store']]);

function handle(line) {
  const [cmd = '', key = '', ...rest] = line.trim().split(' ');
  switch (cmd.toUpperCase()) {
    case 'SET':
      data.set(key, rest.join(' '));
      return 'OK';
    case 'GET':
      return data.has(key) ? `VALUE ${data.get(key)}` : 'NIL';
    case 'INCR': {
      const n = Number(data.get(key) ?? 0) + 1;
      data.set(key, String(n));
      return `VALUE ${n}`;
    }
    case 'KEYS':
      return `VALUE ${[...data.keys()].join(',')}`;
    default:
      return `ERR unknown command ${JSON.stringify(cmd)}`;
  }
}

const server = createServer((socket) => {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim()) socket.write(`${handle(line)}\n`);
    }
  });
  socket.on('error', () => socket.destroy());
});

server.listen(port, '127.0.0.1', () => console.log(`store listening on 127.0.0.1:${port}`));

// Stop cleanly on the stop signal Harness sends (SIGTERM by default).
process.on('SIGTERM', () => {
  console.log('store: shutting down');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
