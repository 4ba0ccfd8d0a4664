/**
 * istiod's read-only debug views of the current snapshot, on the monitoring
 * port: /debug/registryz (services), /debug/endpointz (endpoints by service
 * host), /debug/configz (the Istio config the snapshot holds). They show
 * the serialised snapshot, which holds no Secret data by construction.
 */
import { serializeSnapshot } from '../model/serialize-snapshot.js';
import type { MeshSnapshot } from '../model/types.js';

export type DebugView = () => unknown;

export function snapshotDebugViews(current: () => MeshSnapshot | undefined): ReadonlyMap<string, DebugView> {
  const data = () => {
    const snapshot = current();
    return snapshot ? serializeSnapshot(snapshot) : undefined;
  };
  return new Map<string, DebugView>([
    ['/debug/registryz', () => data()?.services ?? []],
    ['/debug/endpointz', () => data()?.endpoints ?? {}],
    [
      '/debug/configz',
      () => {
        const d = data();
        if (!d) return [];
        return [
          ...d.virtualServices,
          ...d.destinationRules,
          ...d.gateways,
          ...d.sidecars,
          ...d.peerAuthentications,
          ...d.authorizationPolicies,
          ...d.requestAuthentications,
        ];
      },
    ],
  ]);
}
