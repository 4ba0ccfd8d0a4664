/**
 * Every resource the generators emit for every golden case and proxy, and
 * again with the mesh's outboundTrafficPolicy flipped to REGISTRY_ONLY,
 * survives encoding to the Envoy protos and back unchanged: a misspelled or
 * misplaced field would be dropped silently by protobufjs and lost on the wire.
 */
import { describe, expect, it } from 'vitest';
import type { MeshSnapshot } from '../../../src/model/types.js';
import { generators } from '../../../src/xds/gen/index.js';
import { ListenerType, RouteType, shortTypeName } from '../../../src/xds/proto/type-urls.js';
import { generateFor } from './helpers/generate.js';
import { goldenCaseNames, loadGoldenCase } from './helpers/golden-case.js';
import { canonical, roundTrip } from './helpers/proto-round-trip.js';

function registryOnly(snap: MeshSnapshot): MeshSnapshot {
  return { ...snap, mesh: { ...snap.mesh, outboundTrafficPolicy: 'REGISTRY_ONLY' } };
}

describe('every generated resource survives a trip through the Envoy protos unchanged', () => {
  for (const name of goldenCaseNames()) {
    const golden = loadGoldenCase(name);
    for (const proxy of golden.proxies) {
      for (const [label, snap] of [['ALLOW_ANY', golden.snapshot], ['REGISTRY_ONLY', registryOnly(golden.snapshot)]] as const) {
        it(`${name}: ${proxy.label} (${label})`, () => {
          let count = 0;
          for (const [typeUrl, generator] of generators) {
            const onDemand = proxy.dialed !== undefined && (typeUrl === ListenerType || typeUrl === RouteType);
            for (const { name: resourceName, resource } of generateFor(generator, snap, proxy.node, onDemand ? proxy.dialed : undefined)) {
              count++;
              expect(canonical(roundTrip(typeUrl, resource)), `${shortTypeName(typeUrl)} ${resourceName}`).toEqual(canonical(resource));
            }
          }
          expect(count).toBeGreaterThan(0);
        });
      }
    }
  }

  it('catches a misspelled field', () => {
    const typo = { name: 'c', type: 'EDS', conectTimeout: { seconds: 1 } };
    expect(canonical(roundTrip('type.googleapis.com/envoy.config.cluster.v3.Cluster', typo))).not.toEqual(canonical(typo));
  });
});
