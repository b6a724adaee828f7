// This machine's source address on the route toward an address: a UDP socket connect()ed there
// makes the kernel pick the route and the source address, and sends no packet.
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

export function routeSourceAddress(address: string, timeoutMs = 2000): Promise<string | null> {
  return new Promise((resolve) => {
    const sock = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (value: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { sock.close(); } catch { /* already closed */ }
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    sock.on('error', () => finish(null));
    // Port 9 (discard): any port works, nothing is sent by connect() on a datagram socket.
    sock.connect(9, address, () => {
      try { finish(sock.address().address); } catch { finish(null); }
    });
  });
}
