/**
 * Defines a grpcio suite only when scripts/peers/provision.sh has installed
 * the pinned grpcio into .peers/venv. Otherwise the suite is skipped with a
 * loud message, or fails when TSIOD_REQUIRE_PEERS=1, so CI cannot pass by
 * silently testing nothing.
 */
import { describe, it } from 'vitest';
import { grpcioPeerProblem, peersRequired } from '../../helpers/interop-peers.js';

export function whenGrpcioPeerProvisioned(suiteName: string, define: () => void): void {
  const problem = grpcioPeerProblem();
  if (problem === null) {
    define();
    return;
  }
  if (peersRequired()) {
    describe(suiteName, () => {
      it('has its peer provisioned (TSIOD_REQUIRE_PEERS=1)', () => {
        throw new Error(`grpcio peer not provisioned: ${problem}. Run: bash scripts/peers/provision.sh`);
      });
    });
    return;
  }
  const message = `SKIPPED: grpcio peer not provisioned (run npm run test:interop): ${problem}`;
  const bar = '!'.repeat(Math.min(message.length, 100));
  console.warn(`\n${bar}\n${message}\n${bar}\n`);
  describe.skip(`${suiteName}: ${message}`, () => {
    it('needs the grpcio peer', () => undefined);
  });
}
