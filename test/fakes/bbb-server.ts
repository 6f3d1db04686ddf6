import { startBbbSimulator, type BbbSimulator, type BbbSimulatorOptions } from '../../simulators/bbb/bbb-simulator.js';

export type { BbbSimulator, BbbSimulatorOptions, FaultKind, MeetingView, RecordedCall } from '../../simulators/bbb/bbb-simulator.js';

export const TEST_BBB_SECRET = 'test-secret-5f1c2b9e';

// Tests get the production simulator on a fresh loopback port; only the secret gets a default.
export function startBbbServer(opts: Partial<BbbSimulatorOptions> = {}): Promise<BbbSimulator> {
  return startBbbSimulator({ secret: TEST_BBB_SECRET, host: '127.0.0.1', port: 0, ...opts });
}
