// The token `harness serve` prints in the URL. Kept in sessionStorage (this tab only, gone when it
// closes) and removed from the address bar so it does not end up in history or screenshots.
const KEY = 'harness.token';

export function takeAccessToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + (url.search ? url.search : '') + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(KEY);
}
