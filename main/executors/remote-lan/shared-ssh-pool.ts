// The one SshPool of a project runtime, shared by every executor that talks SSH (RemoteLan, and
// Wireguard's deployer): one connection per (host, port, user) across all of them. Each executor
// takes a use in its constructor and gives it back in dispose(); the last one closes the pool.
import { SshPool, type SshPoolOptions } from '../../ssh/index.js';

export class SharedSshPool {
  readonly pool: SshPool;
  private users = 0;
  private closing: Promise<void> | null = null;

  constructor(options: SshPoolOptions = {}) {
    this.pool = new SshPool(options);
  }

  /** Registers a user; the returned function releases it (once). */
  use(): () => Promise<void> {
    this.users++;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (--this.users === 0) {
        this.closing ??= this.pool.close();
        await this.closing;
      }
    };
  }
}
