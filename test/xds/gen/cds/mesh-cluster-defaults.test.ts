/**
 * MeshConfig defaults on the clusters Istio builds (cluster_builder.go,
 * cluster_traffic_policy.go, cluster.go): connectTimeout on every cluster
 * (applyDefaultConnectionPool, and BlackHole/Passthrough), tcpKeepalive
 * under the DestinationRule's (applyTCPKeepalive: mesh first, the rule's
 * fields over it), h2UpgradePolicy for declared HTTP ports unless the rule
 * decides (shouldH2Upgrade), localityLbSetting where the rule sets none
 * (GetEffectiveLbSetting), outboundClusterStatName as alt_stat_name
 * (telemetry.BuildStatPrefix plus the ";" delimiter).
 */
import { describe, expect, it } from 'vitest';
import type { ProxyNode } from '../../../../src/model/proxy.js';
import type { MeshConfig, TrafficPolicy } from '../../../../src/model/types.js';
import { cdsGenerator } from '../../../../src/xds/gen/cds/cds-generator.js';
import { HTTP_PROTOCOL_OPTIONS_KEY } from '../../../../src/xds/gen/common/type-names.js';
import { generateFor, resourceNamed } from '../helpers/generate.js';
import { destinationRule, endpoint, kubeService, proxy, serviceEntry, snapshot } from '../helpers/mesh-builder.js';
import { GRPC, HTTP, REVIEWS, reviewsEndpoints, TCP } from './helpers/policy-mesh.js';

const MAIN = `outbound|9080||${REVIEWS}`;
const V1 = `outbound|9080|v1|${REVIEWS}`;
const TCP_CLUSTER = `outbound|3306||${REVIEWS}`;
// A sidecar of "reviews" itself, so it also gets inbound clusters (its pod IP is an endpoint's).
const SIDECAR: ProxyNode = { ...proxy('sidecar', 'default', { app: 'reviews' }), ipAddresses: ['10.0.0.1'] };

function clusters(mesh: Partial<MeshConfig>, trafficPolicy?: TrafficPolicy, node: ProxyNode = SIDECAR): (name: string) => Record<string, unknown> {
  const snap = snapshot({
    mesh,
    services: [kubeService('reviews', 'default', [HTTP, GRPC, TCP]), serviceEntry('api.example.com', 'default', 'DNS', [HTTP])],
    endpoints: { [REVIEWS]: reviewsEndpoints(), 'api.example.com': [endpoint('api.example.com', HTTP)] },
    destinationRules: [
      destinationRule('reviews', 'default', { host: REVIEWS, ...(trafficPolicy ? { trafficPolicy } : {}), subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
    ],
  });
  const all = generateFor(cdsGenerator, snap, node);
  return (name) => resourceNamed(all, name);
}

const upstreamProtocol = (c: Record<string, unknown>): unknown => {
  const options = (c['typedExtensionProtocolOptions'] as Record<string, Record<string, unknown>> | undefined)?.[HTTP_PROTOCOL_OPTIONS_KEY];
  return options?.['explicitHttpConfig'] ?? options?.['useDownstreamProtocolConfig'] ?? 'none';
};

describe('MeshConfig.connectTimeout', () => {
  it('is every cluster connect timeout: outbound, subsets, DNS, inbound, BlackHole and both passthroughs (10s when unset)', () => {
    const names = [MAIN, V1, 'outbound|9080||api.example.com', 'inbound|9080||', 'BlackHoleCluster', 'PassthroughCluster', 'InboundPassthroughCluster'];
    const set = clusters({ connectTimeout: '2.5s' });
    for (const name of names) expect(set(name)['connectTimeout'], name).toEqual({ seconds: 2, nanos: 500_000_000 });
    const unset = clusters({});
    for (const name of names) expect(unset(name)['connectTimeout'], name).toEqual({ seconds: 10 });
  });

  it("gives way to a DestinationRule's connectionPool.tcp.connectTimeout on that rule's clusters only", () => {
    const get = clusters({ connectTimeout: '2.5s' }, { connectionPool: { tcp: { connectTimeout: '250ms' } } });
    expect(get(MAIN)['connectTimeout']).toEqual({ seconds: 0, nanos: 250_000_000 });
    expect(get(V1)['connectTimeout']).toEqual({ seconds: 0, nanos: 250_000_000 });
    expect(get('outbound|9080||api.example.com')['connectTimeout']).toEqual({ seconds: 2, nanos: 500_000_000 });
  });
});

describe('MeshConfig.tcpKeepalive', () => {
  it('turns SO_KEEPALIVE on for every cluster, outbound, inbound and passthrough; none without it', () => {
    const get = clusters({ tcpKeepalive: { time: '600s', interval: '75s', probes: 9 } });
    const expected = { tcpKeepalive: { keepaliveProbes: { value: 9 }, keepaliveTime: { value: 600 }, keepaliveInterval: { value: 75 } } };
    for (const name of [MAIN, 'outbound|9080||api.example.com', 'inbound|9080||', 'PassthroughCluster', 'InboundPassthroughCluster']) {
      expect(get(name)['upstreamConnectionOptions'], name).toEqual(expected);
    }
    expect(clusters({})(MAIN)['upstreamConnectionOptions']).toBeUndefined();
  });

  it("lets the DestinationRule's tcpKeepalive replace the fields it sets and keep the mesh's others", () => {
    const get = clusters({ tcpKeepalive: { time: '600s', probes: 9 } }, { connectionPool: { tcp: { tcpKeepalive: { time: '30s', interval: '5s' } } } });
    expect(get(MAIN)['upstreamConnectionOptions']).toEqual({
      tcpKeepalive: { keepaliveProbes: { value: 9 }, keepaliveTime: { value: 30 }, keepaliveInterval: { value: 5 } },
    });
    expect(get('outbound|9080||api.example.com')['upstreamConnectionOptions']).toEqual({
      tcpKeepalive: { keepaliveProbes: { value: 9 }, keepaliveTime: { value: 600 } },
    });
  });
});

describe('MeshConfig.h2UpgradePolicy', () => {
  it('UPGRADE sends declared HTTP ports over HTTP/2 and leaves TCP ports alone; the default does not upgrade', () => {
    const upgraded = clusters({ h2UpgradePolicy: 'UPGRADE' });
    expect(upstreamProtocol(upgraded(MAIN))).toEqual({ http2ProtocolOptions: {} });
    expect(upstreamProtocol(upgraded('outbound|9080||api.example.com'))).toEqual({ http2ProtocolOptions: {} });
    expect(upstreamProtocol(upgraded(TCP_CLUSTER))).toBe('none');
    expect(upstreamProtocol(clusters({})(MAIN))).toBe('none');
  });

  it("yields to the rule's DO_NOT_UPGRADE and useClientProtocol; the rule's UPGRADE needs no mesh policy", () => {
    expect(upstreamProtocol(clusters({ h2UpgradePolicy: 'UPGRADE' }, { connectionPool: { http: { h2UpgradePolicy: 'DO_NOT_UPGRADE', maxRequestsPerConnection: 1 } } })(MAIN))).toEqual({
      httpProtocolOptions: {},
    });
    expect(upstreamProtocol(clusters({ h2UpgradePolicy: 'UPGRADE' }, { connectionPool: { http: { useClientProtocol: true } } })(MAIN))).toEqual({
      httpProtocolOptions: {},
      http2ProtocolOptions: {},
    });
    expect(upstreamProtocol(clusters({}, { connectionPool: { http: { h2UpgradePolicy: 'UPGRADE' } } })(MAIN))).toEqual({ http2ProtocolOptions: {} });
  });
});

describe('MeshConfig.localityLbSetting', () => {
  const DISTRIBUTE = { distribute: [{ from: 'us/*', to: { 'us/*': 80, 'eu/*': 20 } }] };

  it('a mesh-wide distribute weighs localities on clusters whose rule sets no localityLbSetting', () => {
    const get = clusters({ localityLbSetting: DISTRIBUTE });
    expect(get(MAIN)['commonLbConfig']).toEqual({ localityWeightedLbConfig: {} });
    expect(get('outbound|9080||api.example.com')['commonLbConfig']).toEqual({ localityWeightedLbConfig: {} });
    expect(clusters({})(MAIN)['commonLbConfig']).toEqual({});
  });

  it("the rule's own setting wins, a disabled one included", () => {
    expect(clusters({ localityLbSetting: DISTRIBUTE }, { loadBalancer: { localityLbSetting: { enabled: false } } })(MAIN)['commonLbConfig']).toEqual({});
  });

  it('a mesh-wide failover is used with outlier detection only, and a disabled mesh setting turns the default failover off', () => {
    const outlierDetection = { consecutive5xxErrors: 5 };
    expect(clusters({ localityLbSetting: { failover: [{ from: 'us', to: 'eu' }] } }, { outlierDetection })(MAIN)['commonLbConfig']).toMatchObject({
      localityWeightedLbConfig: {},
    });
    expect(clusters({ localityLbSetting: { failover: [{ from: 'us', to: 'eu' }] } })(MAIN)['commonLbConfig']).toEqual({});
  });
});

describe('MeshConfig.outboundClusterStatName', () => {
  it("becomes every outbound cluster's alt_stat_name, Istio's documented example included", () => {
    // mesh.proto: "%SERVICE%_%SERVICE_PORT_NAME%_%SERVICE_PORT%" gives "reviews.prod_http_9080" for reviews.prod.
    const get = clusters({ outboundClusterStatName: '%SERVICE%_%SERVICE_PORT_NAME%_%SERVICE_PORT%' });
    expect(get(MAIN)['altStatName']).toBe('reviews.default_http_9080;');
    // A ServiceEntry host is its own %SERVICE% and %SERVICE_NAME%.
    expect(get('outbound|9080||api.example.com')['altStatName']).toBe('api.example.com_http_9080;');
  });

  it('fills in subset, FQDN, short name and an outbound target port of 0; without a pattern there is none', () => {
    const get = clusters({ outboundClusterStatName: '%SERVICE_NAME%|%SUBSET_NAME%|%SERVICE_FQDN%|%TARGET_PORT%' });
    expect(get(V1)['altStatName']).toBe(`reviews|v1|${REVIEWS}|0;`);
    expect(get(MAIN)['altStatName']).toBe(`reviews||${REVIEWS}|0;`);
    expect(clusters({})(MAIN)['altStatName']).toBeUndefined();
  });
});
