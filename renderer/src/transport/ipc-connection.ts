// ApiConnection over the Electron preload bridge.
import type { ApiConnection } from '../../../shared/api-client';
import { API_EVENT_NAMES, type ApiEventName } from '../../../shared/events';
import type { HarnessBridge } from './bridge';

export function createIpcConnection(bridge: HarnessBridge): ApiConnection {
  return {
    call: (method, params) => bridge.invoke(method, params),
    onEvent(listener) {
      const offs = API_EVENT_NAMES.map((event: ApiEventName) => bridge.on(event, (payload) => listener(event, payload)));
      return () => offs.forEach((off) => off());
    },
  };
}
