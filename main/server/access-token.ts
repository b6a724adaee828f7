// The per-launch secret that a browser must present to use the API. Anything on this machine can
// connect to 127.0.0.1, so the loopback bind alone is not access control: the token is.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, URL-safe. */
export function generateAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time comparison. Both sides are hashed first so that timingSafeEqual sees equal
 * lengths and the comparison time does not reveal the token's length either.
 */
export function tokenMatches(expected: string, presented: string | null | undefined): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 1024) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}
