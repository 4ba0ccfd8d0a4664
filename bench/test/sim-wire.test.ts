/**
 * The simulator's hand-rolled wire handling checked against protobufjs and
 * Envoy's own protos: what it reads out of responses, and what it writes in
 * requests. Run: node --import tsx --test bench/test/*.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envoyType } from '../../src/xds/proto/envoy-protos.js';
import { NameList } from '../sim/name-list.js';
import { CLUSTER_TYPE, ENDPOINT_TYPE, LISTENER_TYPE, ResponseMemo } from '../sim/response-memo.js';
import { encodeSidecarNode } from '../sim/sidecar-node.js';
import { encodeDeltaRequest, encodeSotwRequest, scanResponse } from '../sim/xds-messages.js';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/** An Any in protobufjs fromObject form ("@type" plus fields; protobufjs drops a plain typeUrl here). */
function pack(typeUrl: string, object: Record<string, unknown>): Record<string, unknown> {
  return { '@type': typeUrl, ...object };
}

function discoveryResponse(typeUrl: string, resources: Record<string, unknown>[], nonce: string): Buffer {
  const DiscoveryResponse = envoyType('envoy.service.discovery.v3.DiscoveryResponse');
  const message = DiscoveryResponse.fromObject({ versionInfo: 'v7', typeUrl, nonce, resources: resources.map((r) => pack(typeUrl, r)) });
  return Buffer.from(DiscoveryResponse.encode(message).finish());
}

const clusters = [
  { name: 'outbound|8080||a.ns.svc.cluster.local', type: 'EDS', edsClusterConfig: { serviceName: 'outbound|8080||a.ns.svc.cluster.local', edsConfig: { ads: {} } } },
  { name: 'outbound|8080|v1|b.ns.svc.cluster.local', type: 'EDS', edsClusterConfig: { edsConfig: { ads: {} } } },
  { name: 'PassthroughCluster', type: 'ORIGINAL_DST' },
  { name: 'BlackHoleCluster', type: 'STATIC' },
];

function listener(name: string, routeNames: string[]): Record<string, unknown> {
  return {
    name,
    filterChains: routeNames.map((routeName) => ({
      filters: [{ name: 'envoy.filters.network.http_connection_manager', typedConfig: pack(HCM, { statPrefix: name, rds: { routeConfigName: routeName, configSource: { ads: {} } } }) }],
    })),
    defaultFilterChain: { filters: [{ name: 'envoy.filters.network.tcp_proxy', typedConfig: pack(HCM, { statPrefix: 'inline', routeConfig: { name: 'inline' } }) }] },
  };
}

test('scanResponse reads the top-level fields of a SotW response', () => {
  const buf = discoveryResponse(CLUSTER_TYPE, clusters, 'n-1');
  const scanned = scanResponse(buf);
  assert.equal(scanned.versionInfo, 'v7');
  assert.equal(scanned.typeUrl, CLUSTER_TYPE);
  assert.equal(scanned.nonce, 'n-1');
  assert.equal(scanned.resourceCount, 4);
});

test('CDS content: resource names and the EDS names Envoy would subscribe to', () => {
  const memo = new ResponseMemo();
  const buf = discoveryResponse(CLUSTER_TYPE, clusters, 'n-1');
  const content = memo.contentOf('sotw', CLUSTER_TYPE, buf, scanResponse(buf).resourcesRange);
  assert.deepEqual(content.names.names, clusters.map((c) => c.name));
  assert.deepEqual(content.edsNames.names, ['outbound|8080||a.ns.svc.cluster.local', 'outbound|8080|v1|b.ns.svc.cluster.local']);
});

test('the memo shares content across different nonces and versions, and tells different content apart', () => {
  const memo = new ResponseMemo();
  const a = discoveryResponse(CLUSTER_TYPE, clusters, 'n-1');
  const b = discoveryResponse(CLUSTER_TYPE, clusters, 'another-nonce');
  const c = discoveryResponse(CLUSTER_TYPE, clusters.slice(1), 'n-1');
  const ca = memo.contentOf('sotw', CLUSTER_TYPE, a, scanResponse(a).resourcesRange);
  const cb = memo.contentOf('sotw', CLUSTER_TYPE, b, scanResponse(b).resourcesRange);
  const cc = memo.contentOf('sotw', CLUSTER_TYPE, c, scanResponse(c).resourcesRange);
  assert.equal(ca, cb);
  assert.notEqual(ca, cc);
  assert.equal(memo.hits, 1);
  assert.equal(memo.misses, 2);
});

test('LDS content: the RDS names of every HTTP connection manager, not inline route configs', () => {
  const memo = new ResponseMemo();
  const buf = discoveryResponse(LISTENER_TYPE, [listener('0.0.0.0_8080', ['8080']), listener('0.0.0.0_9090', ['9090', '8080'])], 'n');
  const content = memo.contentOf('sotw', LISTENER_TYPE, buf, scanResponse(buf).resourcesRange);
  assert.deepEqual(content.names.names, ['0.0.0.0_8080', '0.0.0.0_9090']);
  assert.deepEqual(content.routeNames.names, ['8080', '9090']);
});

test('EDS content names the clusters, and mentionsHost finds a service by FQDN', () => {
  const memo = new ResponseMemo();
  const buf = discoveryResponse(ENDPOINT_TYPE, [{ clusterName: 'outbound|8080|v2|b.ns.svc.cluster.local', endpoints: [] }], 'n');
  const content = memo.contentOf('sotw', ENDPOINT_TYPE, buf, scanResponse(buf).resourcesRange);
  assert.equal(content.names.mentionsHost('b.ns.svc.cluster.local'), true);
  assert.equal(content.names.mentionsHost('ns.svc.cluster.local'), false);
});

test('Delta responses: resources by Resource.name, removals from both removal fields', () => {
  const Delta = envoyType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
  const message = Delta.fromObject({
    systemVersionInfo: 's1',
    typeUrl: CLUSTER_TYPE,
    nonce: 'd-1',
    resources: clusters.map((c, i) => ({ name: c.name, version: `r${i}`, resource: pack(CLUSTER_TYPE, c) })),
    removedResources: ['gone-1'],
    removedResourceNames: [{ name: 'gone-2' }],
  });
  const buf = Buffer.from(Delta.encode(message).finish());
  const scanned = scanResponse(buf);
  assert.equal(scanned.nonce, 'd-1');
  assert.deepEqual([...scanned.removed].sort(), ['gone-1', 'gone-2']);
  const content = new ResponseMemo().contentOf('delta', CLUSTER_TYPE, buf, scanned.resourcesRange);
  assert.deepEqual(content.names.names, clusters.map((c) => c.name));
  assert.equal(content.edsNames.size, 2);
});

test('SotW requests decode with Envoy protos, node included', () => {
  const node = encodeSidecarNode({
    podName: 'a-v1-00001', namespace: 'ns', ip: '127.10.1.2', labels: { app: 'a', version: 'v1' }, serviceAccount: 'a', workloadName: 'a-v1',
  });
  const bytes = encodeSotwRequest({ node, typeUrl: ENDPOINT_TYPE, versionInfo: 'v3', resourceNames: new NameList(['x', 'y']), responseNonce: 'n9' });
  const decoded = envoyType('envoy.service.discovery.v3.DiscoveryRequest').toObject(
    envoyType('envoy.service.discovery.v3.DiscoveryRequest').decode(bytes),
  ) as { versionInfo: string; typeUrl: string; responseNonce: string; resourceNames: string[]; node: { id: string; userAgentName: string; metadata: { fields: Record<string, { stringValue?: string; structValue?: unknown }> } } };
  assert.equal(decoded.versionInfo, 'v3');
  assert.equal(decoded.typeUrl, ENDPOINT_TYPE);
  assert.equal(decoded.responseNonce, 'n9');
  assert.deepEqual(decoded.resourceNames, ['x', 'y']);
  assert.equal(decoded.node.id, 'sidecar~127.10.1.2~a-v1-00001.ns~ns.svc.cluster.local');
  assert.equal(decoded.node.userAgentName, 'envoy');
  assert.equal(decoded.node.metadata.fields['ISTIO_VERSION']?.stringValue, '1.24.0');
  assert.equal(decoded.node.metadata.fields['INSTANCE_IPS']?.stringValue, '127.10.1.2');
  assert.ok(decoded.node.metadata.fields['LABELS']?.structValue);
});

test('Delta requests decode with Envoy protos', () => {
  const Request = envoyType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  const withList = Request.toObject(Request.decode(encodeDeltaRequest({ typeUrl: ENDPOINT_TYPE, subscribe: new NameList(['a', 'b']), unsubscribe: ['c'] })));
  assert.deepEqual(withList['resourceNamesSubscribe'], ['a', 'b']);
  assert.deepEqual(withList['resourceNamesUnsubscribe'], ['c']);
  const ack = Request.toObject(Request.decode(encodeDeltaRequest({ typeUrl: CLUSTER_TYPE, responseNonce: 'd-1' })));
  assert.equal(ack['responseNonce'], 'd-1');
  assert.equal(ack['typeUrl'], CLUSTER_TYPE);
  assert.equal(ack['resourceNamesSubscribe'], undefined);
});
