// One-time sign-in codes for `harness serve`: what it prints for a user to open instead of the
// token. A code is exchanged once for the token (POST /api/session) and then forgotten, so a code
// seen later (scrollback, a log file) is worth nothing; the token itself never leaves the process
// except to a page that redeemed a code or read the owner-only launch file.
import { createHash, randomBytes } from 'node:crypto';

/** Unredeemed codes kept; issuing more forgets the oldest. */
const MAX_OUTSTANDING = 16;

const digest = (code: string): string => createHash('sha256').update(code).digest('base64');

export class OneTimeCodes {
  // Keyed by hash: a lookup's timing tells nothing about the code itself.
  private readonly outstanding = new Set<string>();

  /** A fresh code (32 random bytes, URL-safe). */
  issue(): string {
    const code = randomBytes(32).toString('base64url');
    this.outstanding.add(digest(code));
    while (this.outstanding.size > MAX_OUTSTANDING) this.outstanding.delete(this.outstanding.values().next().value as string);
    return code;
  }

  /** True exactly once per issued code. */
  redeem(code: unknown): boolean {
    if (typeof code !== 'string' || code.length === 0 || code.length > 256) return false;
    return this.outstanding.delete(digest(code));
  }
}
