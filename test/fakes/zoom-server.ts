import { startZoomSimulator, type ZoomSimulator, type ZoomSimulatorOptions } from '../../simulators/zoom/zoom-simulator.js';

export const SIM_CREDENTIALS = {
  accountId: 'sim-account-1',
  clientId: 'sim-client-id',
  clientSecret: 'sim-client-secret-0123456789',
} as const;

/** Starts the Zoom simulator on 127.0.0.1 with an ephemeral port and the shared test credentials. */
export function startZoomServer(options: Partial<ZoomSimulatorOptions> = {}): Promise<ZoomSimulator> {
  return startZoomSimulator({ ...SIM_CREDENTIALS, ...options });
}

export type { ZoomSimulator };
