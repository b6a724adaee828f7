// Closed sets of values services.yaml accepts, shared by the loader (main/config/fields.ts
// re-exports them) and the editors that offer them as choices.

export type HealthCheckType = 'tcp' | 'http' | 'command' | 'log';
export const HEALTH_CHECK_TYPES: readonly HealthCheckType[] = ['tcp', 'http', 'command', 'log'];

export const RESTART_POLICIES = ['no', 'on-failure', 'always'] as const;
export const LOG_STREAMS = ['stdout', 'stderr', 'any'] as const;

/** Signals a service may be stopped with. A fixed POSIX list, so a file's validity does not
 * depend on the platform validating it. */
export const STOP_SIGNALS = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGABRT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGALRM',
  'SIGWINCH', 'SIGPWR', 'SIGSTOP', 'SIGTSTP', 'SIGCONT',
] as const;
