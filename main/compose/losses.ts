// What an import could not carry over, one entry per compose field: dropped ("not converted") or
// carried over with a behaviour that differs ("approximated"). Never dropped silently.

export type LossKind = 'not converted' | 'approximated';

export interface Loss {
  /** 1-based line in the compose file; 0 when the loss has no single place (a missing file). */
  line: number;
  /** Compose field path: `services.db.deploy.resources`, `services.web.ports[1]`. */
  path: string;
  kind: LossKind;
  message: string;
  /** The Harness service the loss belongs to (for the comment above it), if any. */
  service?: string;
}

export class LossList {
  readonly items: Loss[] = [];

  notConverted(at: { line: number; path: string }, message: string, service?: string): void {
    this.items.push({ line: at.line, path: at.path, kind: 'not converted', message, service });
  }

  approximated(at: { line: number; path: string }, message: string, service?: string): void {
    this.items.push({ line: at.line, path: at.path, kind: 'approximated', message, service });
  }

  /** In file order (then by path), as a reader goes through the compose file. */
  sorted(): Loss[] {
    return [...this.items].sort((a, b) => a.line - b.line || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

/** `docker-compose.yml:14: services.db.deploy: not converted: ...` */
export function formatLoss(file: string, l: Loss): string {
  return `${file}${l.line > 0 ? `:${l.line}` : ''}: ${l.path}: ${l.kind}: ${l.message}`;
}
