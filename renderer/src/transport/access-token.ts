// The session token of `harness serve`. It reaches the page in one of two ways: `?token=` (the
// owner-only launch file redirects there; scripts and tests use it too), or `?code=`, a one-time
// code that `harness serve` printed, traded once for the token over POST /api/session. Either is
// removed from the address bar at once (not in history or screenshots), and the token is kept in
// sessionStorage: this tab only, gone when it closes, and what a reload uses.
const KEY = 'harness.token';

export function takeAccessToken(): Promise<string> | null {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  const code = url.searchParams.get('code');
  if (token !== null || code !== null) {
    url.searchParams.delete('token');
    url.searchParams.delete('code');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  if (token) {
    sessionStorage.setItem(KEY, token);
    return Promise.resolve(token);
  }
  const stored = sessionStorage.getItem(KEY);
  if (code) {
    return redeemCode(code).then(
      (t) => {
        sessionStorage.setItem(KEY, t);
        return t;
      },
      // An old link clicked again in a tab that is already signed in: the tab's token still works.
      (err: unknown) => (stored ? stored : Promise.reject(err)),
    );
  }
  return stored ? Promise.resolve(stored) : null;
}

async function redeemCode(code: string): Promise<string> {
  const res = await fetch('/api/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code }),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (res.status === 401) {
    throw new Error('this one-time link was already used: open the page file that `harness serve` printed, or restart it for a new link');
  }
  const body = (await res.json().catch(() => ({}))) as { token?: unknown; error?: unknown };
  if (!res.ok || typeof body.token !== 'string') throw new Error(`signing in failed (HTTP ${res.status}${typeof body.error === 'string' ? `: ${body.error}` : ''})`);
  return body.token;
}
