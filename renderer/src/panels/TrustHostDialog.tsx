// Asked when a start met a host whose SSH key no known_hosts file names: shows the key's type and
// SHA256 fingerprint (to compare with the host's own) and, on "Trust", has the core append exactly
// that key to ~/.ssh/known_hosts, then starts again the services that met it.
import { useController } from '../actions/controller-context';
import { useUi } from '../stores/stores';

function displayType(type: string): string {
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type.startsWith('ecdsa-')) return 'ECDSA';
  if (type === 'ssh-rsa') return 'RSA';
  return type;
}

export function TrustHostDialog() {
  const prompt = useUi((s) => s.hostKeyPrompt);
  const setPrompt = useUi((s) => s.setHostKeyPrompt);
  const controller = useController();
  if (!prompt) return null;
  const where = prompt.port === 22 ? prompt.host : `${prompt.host} port ${prompt.port}`;
  const keyFile = `/etc/ssh/ssh_host_${displayType(prompt.keyType).toLowerCase()}_key.pub`;
  return (
    <div className="modal-backdrop" onMouseDown={() => setPrompt(null)}>
      <div className="modal trust-dialog" role="dialog" aria-labelledby="trust-title" data-testid="trust-dialog" onMouseDown={(e) => e.stopPropagation()}>
        <strong id="trust-title">Unknown host {where}</strong>
        <p>
          Starting {prompt.services.join(', ')} needs an SSH connection to <code>{prompt.user}@{where}</code>, whose key is not in
          your known_hosts. Trust it only if the fingerprint matches the host's own
          (on the host: <code>ssh-keygen -lf {keyFile}</code>).
        </p>
        <dl className="trust-key">
          <dt>Key type</dt>
          <dd data-testid="trust-key-type">{displayType(prompt.keyType)}</dd>
          <dt>Fingerprint</dt>
          <dd data-testid="trust-fingerprint"><code>{prompt.fingerprint}</code></dd>
        </dl>
        <div className="modal-actions">
          <button type="button" data-testid="trust-cancel" onClick={() => setPrompt(null)}>Cancel</button>
          <button type="button" data-testid="trust-confirm" className="primary" onClick={() => void controller.trustHost(prompt)}>Trust and start</button>
        </div>
      </div>
    </div>
  );
}
