// The only two IPC channels between the window and the main process.
export const IPC_INVOKE = 'harness:invoke';
export const IPC_EVENT = 'harness:event';
