/**
 * Defines a grpcio suite only when scripts/peers/provision.sh has installed
 * the pinned grpcio into .peers/venv; see peer-guard.ts for what happens
 * otherwise.
 */
import { whenPeersProvisioned } from './peer-guard.js';

export function whenGrpcioPeerProvisioned(suiteName: string, define: () => void): void {
  whenPeersProvisioned(suiteName, ['grpcio'], define);
}
