/**
 * A CDS generator whose output the test scripts directly: cluster name →
 * connect timeout in seconds. Zero breaks Envoy's `duration.gt: 0` rule, so a
 * test makes one cluster invalid by setting its timeout to 0, and a string
 * timeout cannot be encoded at all.
 */
import type { ResourceGenerator } from '../../../../src/xds/gen/generator.js';
import { ClusterType, type XdsTypeUrl } from '../../../../src/xds/proto/type-urls.js';

export type ClusterScript = Record<string, number | string>;

export function scriptedClusters(script: () => ClusterScript): ReadonlyMap<XdsTypeUrl, ResourceGenerator> {
  const cds: ResourceGenerator = {
    typeUrl: ClusterType,
    keyOf: () => ({}),
    generate: (_snapshot, _key, names) => Object.entries(script())
      .filter(([name]) => !names || names.has(name))
      .map(([name, timeout]) => ({
        name,
        resource: {
          name, type: 'EDS', edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: 'V3' } },
          connectTimeout: typeof timeout === 'number' ? { seconds: timeout } : timeout,
        },
      })),
  };
  return new Map([[ClusterType, cds]]);
}
