// Entry: a small chunk that opens the link to the core and asks for the snapshot at once, then
// loads the app (React, React Flow, stores) in parallel with that round trip. xterm loads later
// still, when a log terminal first needs it (logs/xterm-loader.ts).
import './styles/app.css';
import { startEarlyConnection } from './transport/early-connection';

// Marks for the benches (performance.getEntriesByType('mark')): boot, snapshot, first graph paint.
performance.mark('harness:boot');
const early = startEarlyConnection();
import('./boot-app')
  .then((m) => m.bootApp(early))
  .catch((err: unknown) => {
    document.getElementById('root')!.textContent = `Harness failed to load its UI: ${err instanceof Error ? err.message : String(err)}`;
  });
