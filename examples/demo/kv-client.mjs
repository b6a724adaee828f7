// Client for store.mjs, shared by the demo's API. One short connection per command keeps it
// simple and robust to the store restarting.
import { connect } from 'node:net';

export function storeCommand(host, port, command, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = '';
    const timer = setTimeout(() => socket.destroy(new Error(`store at ${host}:${port} did not answer`)), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (chunk) => {
      reply += chunk;
      const nl = reply.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        socket.end();
        const line = reply.slice(0, nl);
        if (line.startsWith('ERR')) reject(new Error(line));
        else resolve(line === 'NIL' ? null : line.replace(/^(OK|VALUE) ?/, ''));
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
