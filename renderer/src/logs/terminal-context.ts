import { createContext, useContext } from 'react';
import type { TerminalRegistry } from './terminal-registry';

export const TerminalsContext = createContext<TerminalRegistry | null>(null);

export function useTerminals(): TerminalRegistry {
  const t = useContext(TerminalsContext);
  if (!t) throw new Error('TerminalsContext missing');
  return t;
}
