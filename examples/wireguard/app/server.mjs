// The example's package: an HTTP server on the WireGuard peer that answers with its release and
// what the ledger (a process on the machine running Harness) says, reached at LEDGER_ADDR /
// LEDGER_PORT: this machine's tunnel address and a port Harness published there.
import http from 'node:http';
import fs from 'node:fs';
const version = fs.readFileSync('version.txt', 'utf8').trim();
const ledger = () => new Promise((ok) => http.get({ host: process.env.LEDGER_ADDR, port: process.env.LEDGER_PORT, timeout: 2000 }, (r) => {
  let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => ok(b));
}).on('error', (e) => ok(`ledger unreachable: ${e.message}`)));
console.log(`release ${process.env.HARNESS_RELEASE_ID}: ledger at ${process.env.LEDGER_ADDR}:${process.env.LEDGER_PORT}`);
http.createServer(async (q, s) => s.end(`api ${version} (release ${process.env.HARNESS_RELEASE_ID}) says: ${await ledger()}\n`))
  .listen(Number(process.env.PORT), '0.0.0.0', () => console.log(`api ${version} on 0.0.0.0:${process.env.PORT}`));
process.on('SIGTERM', () => { console.log('stopping'); process.exit(0); });
