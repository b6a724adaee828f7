// xterm and its addons are about a third of the UI's JavaScript and no log is needed for the
// first render: they load on first use, as their own chunk, once per page.
import type { FitAddon } from '@xterm/addon-fit';
import type { SearchAddon } from '@xterm/addon-search';
import type { Terminal } from '@xterm/xterm';

export interface XtermModules {
  Terminal: typeof Terminal;
  FitAddon: typeof FitAddon;
  SearchAddon: typeof SearchAddon;
}

let loading: Promise<XtermModules> | null = null;

export function loadXterm(): Promise<XtermModules> {
  loading ??= Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit'), import('@xterm/addon-search'), import('@xterm/xterm/css/xterm.css')]).then(
    ([xterm, fit, search]) => ({ Terminal: xterm.Terminal, FitAddon: fit.FitAddon, SearchAddon: search.SearchAddon }),
    (err: unknown) => {
      // Let a later terminal try again (a chunk fetch can fail transiently).
      loading = null;
      throw err;
    },
  );
  return loading;
}
