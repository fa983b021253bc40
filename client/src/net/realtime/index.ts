/** Picks the realtime provider: VITE_REALTIME_PROVIDER (ws by default), or
 * `?provider=sim` in the page address for an offline demo. */
import type { World } from '../../world/world';
import { SimProvider, type SimOptions } from './sim';
import type { JoinTicket, RealtimeProvider } from './types';
import { WsProvider } from './ws';

export type ProviderKind = 'ws' | 'sim';

export function providerKind(search: string = location.search): ProviderKind {
  const asked = new URLSearchParams(search).get('provider') ?? import.meta.env.VITE_REALTIME_PROVIDER ?? 'ws';
  return asked === 'sim' ? 'sim' : 'ws';
}

export function createProvider(kind: ProviderKind, world: World, renewTicket: () => Promise<JoinTicket>, sim: SimOptions = {}): RealtimeProvider {
  return kind === 'sim' ? new SimProvider(world, sim) : new WsProvider({ renewTicket });
}
