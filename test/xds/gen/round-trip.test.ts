import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generators } from '../../../src/xds/gen/index.js';
import { shortTypeName } from '../../../src/xds/proto/type-urls.js';
import { generateFor } from './helpers/generate.js';
import { proxy } from './helpers/mesh-builder.js';
import { canonical, roundTrip } from './helpers/proto-round-trip.js';
import { snapshotFromYaml } from './helpers/snapshot-from-yaml.js';

const rich = snapshotFromYaml(path.join(import.meta.dirname, '../../golden/gen/bookinfo/snapshot.yaml'));
const registryOnly = { ...rich, mesh: { ...rich.mesh, outboundTrafficPolicy: 'REGISTRY_ONLY' as const } };
const proxylessNames = ['reviews', 'reviews:9080', 'ratings.default', 'echo.echo.svc:7070', 'echo.echo.svc.cluster.local:8080'];

describe('every generated resource survives a trip through the Envoy protos unchanged', () => {
  for (const [typeUrl, generator] of generators) {
    for (const [label, snap] of [['ALLOW_ANY', rich], ['REGISTRY_ONLY', registryOnly]] as const) {
      for (const kind of ['sidecar', 'proxyless'] as const) {
        it(`${shortTypeName(typeUrl)} for ${kind} (${label})`, () => {
          const resources = [
            ...generateFor(generator, snap, proxy(kind)),
            ...(kind === 'proxyless' ? generateFor(generator, snap, proxy(kind), proxylessNames) : []),
          ];
          expect(resources.length).toBeGreaterThan(0);
          for (const { name, resource } of resources) {
            expect(canonical(roundTrip(typeUrl, resource)), name).toEqual(canonical(resource));
          }
        });
      }
    }
  }

  it('catches a misspelled field', () => {
    const typo = { name: 'c', type: 'EDS', conectTimeout: { seconds: 1 } };
    expect(canonical(roundTrip('type.googleapis.com/envoy.config.cluster.v3.Cluster', typo))).not.toEqual(canonical(typo));
  });
});
