// The network view: where each service runs and the address every dependent uses to reach it.
import { useEffect, useState } from 'react';
import type { TopologySnapshot } from '../../../shared/network-types';
import { useController } from '../actions/controller-context';
import { useRun } from '../stores/stores';

function describeLocation(l: TopologySnapshot['services'][number]['location']): string {
  switch (l.kind) {
    case 'local':
      return 'this machine';
    case 'docker':
      return `docker network ${l.network}${l.ip ? ` (${l.ip})` : ''}`;
    case 'lan':
      return `LAN host ${l.host}`;
    case 'wireguard':
      return `WireGuard host ${l.host}${l.via ? ` via ${l.via}` : ''}`;
  }
}

export function TopologyView() {
  const controller = useController();
  const seq = useRun((s) => s.seq);
  const [topo, setTopo] = useState<TopologySnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    controller.client
      .invoke('network.topology', {})
      .then((t) => live && (setTopo(t), setError(null)))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [controller, seq]);
  if (error) return <div className="topology-view"><p className="error">{error}</p></div>;
  if (!topo) return <div className="topology-view"><p className="muted">Loading…</p></div>;
  return (
    <div className="topology-view" data-testid="topology-view">
      <section>
        <h2>Locations</h2>
        <table>
          <thead><tr><th>Service</th><th>Runs on</th></tr></thead>
          <tbody>
            {topo.services.map((s) => (
              <tr key={s.name}><td>{s.name}</td><td>{describeLocation(s.location)}</td></tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>Resolved edges</h2>
        <table>
          <thead><tr><th>From</th><th>To</th><th>Address</th><th>Note</th></tr></thead>
          <tbody>
            {topo.edges.map((e) => (
              <tr key={`${e.from}->${e.to}`} className={e.warning ? 'warn' : ''}>
                <td>{e.from}</td><td>{e.to}</td><td><code>{e.address}{e.port ? `:${e.port}` : ''}</code></td><td>{e.warning ?? e.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>Interfaces</h2>
        <table>
          <thead><tr><th>Name</th><th>Kind</th><th>Addresses</th></tr></thead>
          <tbody>
            {topo.interfaces.map((i) => (
              <tr key={i.name}><td>{i.name}</td><td>{i.kind}</td><td>{i.addresses.join(', ')}</td></tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
