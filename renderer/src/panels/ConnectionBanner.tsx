// While the link to the core is down: say so plainly, above everything it affects. Nodes show
// `unknown` and controls that need the core are disabled meanwhile (useOffline); when the link is
// back the view is rebuilt from a snapshot (AppController.recover).
import { useConnection, useOffline } from '../stores/stores';

export function ConnectionBanner() {
  const offline = useOffline();
  const detail = useConnection((s) => s.detail);
  if (!offline) return null;
  return (
    <div className="connection-banner" role="alert" data-testid="connection-banner">
      <strong>Connection to Harness lost</strong>
      <span>
        {detail}. Statuses are unknown and the controls are off until it is back; then the view catches up from a fresh snapshot. Services keep running meanwhile.
      </span>
    </div>
  );
}
