/**
 * Defines an interop suite only when every peer it needs is provisioned at its
 * pinned version: grpcio in .peers/venv (scripts/peers/provision.sh), the Go
 * peers in .peers/bin (scripts/peers/go-peers.sh). Otherwise the suite is
 * skipped with a loud message naming what is missing, or fails when
 * TSIOD_REQUIRE_PEERS=1, so CI cannot pass by silently testing nothing.
 */
import { describe, it } from 'vitest';
import { goPeerProblem, grpcioPeerProblem, peersRequired, type GoPeer } from '../../helpers/interop-peers.js';

export type InteropPeer = 'grpcio' | GoPeer;

function problemOf(peer: InteropPeer): string | null {
  return peer === 'grpcio' ? grpcioPeerProblem() : goPeerProblem(peer);
}

function provisionCommand(peer: InteropPeer): string {
  return peer === 'grpcio' ? 'bash scripts/peers/provision.sh' : `bash scripts/peers/go-peers.sh ${peer}`;
}

export function whenPeersProvisioned(suiteName: string, peers: readonly InteropPeer[], define: () => void): void {
  const missing = peers.flatMap((peer) => {
    const problem = problemOf(peer);
    return problem === null ? [] : [{ peer, problem }];
  });
  if (missing.length === 0) {
    define();
    return;
  }
  const problems = missing.map((m) => `${m.peer}: ${m.problem}`).join('; ');
  if (peersRequired()) {
    const commands = [...new Set(missing.map((m) => provisionCommand(m.peer)))].join(' && ');
    describe(suiteName, () => {
      it('has its peers provisioned (TSIOD_REQUIRE_PEERS=1)', () => {
        throw new Error(`peer not provisioned: ${problems}. Run: ${commands}`);
      });
    });
    return;
  }
  const message = `SKIPPED: peer not provisioned (run npm run test:interop): ${problems}`;
  const bar = '!'.repeat(Math.min(message.length, 100));
  console.warn(`\n${bar}\n${suiteName}\n${message}\n${bar}\n`);
  describe.skip(`${suiteName}: ${message}`, () => {
    it(`needs ${missing.map((m) => m.peer).join(', ')}`, () => undefined);
  });
}
