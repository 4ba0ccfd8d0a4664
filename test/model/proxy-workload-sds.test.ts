/**
 * ProxyNode.workloadSds: whether an Envoy gets "default" and "ROOTCA" from
 * pilot-agent's local sds-grpc cluster or from tsiod over ADS, decided from
 * what the node carries. The pilot-agent metadata below is the node of
 * Istio's own bootstrap golden (pkg/bootstrap/testdata/default_golden.json):
 * what the agent's GetNodeMetaData writes into the Envoy bootstrap that also
 * defines sds-grpc.
 */
import { describe, expect, it } from 'vitest';
import { parseProxyNode, ProxyNodeError, WORKLOAD_SDS_METADATA, type XdsNode } from '../../src/model/proxy.js';

const DOMAIN = 'cluster.local';

/** Node metadata pilot-agent put in Istio's default bootstrap golden. */
const PILOT_AGENT_METADATA: Record<string, unknown> = {
  ENVOY_PROMETHEUS_PORT: 15090,
  ENVOY_STATUS_PORT: 15021,
  INSTANCE_IPS: '10.3.3.3,10.4.4.4,10.5.5.5,10.6.6.6',
  ISTIO_VERSION: 'binary-1.0',
  METADATA_DISCOVERY: 'false',
  OUTLIER_LOG_PATH: '/dev/stdout',
  PILOT_SAN: ['spiffe://cluster.local/ns/istio-system/sa/istio-pilot-service-account'],
  PROXY_CONFIG: {
    binaryPath: '/usr/local/bin/envoy',
    configPath: '/tmp/bootstrap/default',
    customConfigFile: 'envoy_bootstrap.json',
    discoveryAddress: 'istio-pilot:15010',
    drainDuration: '2s',
    proxyAdminPort: 15000,
    serviceCluster: 'istio-proxy',
    statusPort: 15020,
  },
  WORKLOAD_IDENTITY_SOCKET_FILE: 'test.sock',
};

function node(metadata: Record<string, unknown>, id = 'sidecar~1.2.3.4~foo.bar~bar.svc.cluster.local'): XdsNode {
  return { id, metadata, userAgentName: 'envoy' };
}

describe('where a proxy gets its workload secrets', () => {
  it('is sds-grpc for an Envoy whose bootstrap pilot-agent wrote (PROXY_CONFIG present), sidecar or gateway', () => {
    expect(parseProxyNode(node(PILOT_AGENT_METADATA), DOMAIN).workloadSds).toBe('sds-grpc');
    const gateway = parseProxyNode(node(PILOT_AGENT_METADATA, 'router~1.2.3.4~gw.istio-system~istio-system.svc.cluster.local'), DOMAIN);
    expect(gateway.type).toBe('router');
    expect(gateway.workloadSds).toBe('sds-grpc');
  });

  it('does not depend on the agent settings that only some agents send (PILOT_SAN, status ports, ISTIO_VERSION)', () => {
    const { PILOT_SAN: _san, ENVOY_STATUS_PORT: _status, ENVOY_PROMETHEUS_PORT: _prom, ISTIO_VERSION: _version, ...minimal } = PILOT_AGENT_METADATA;
    expect(parseProxyNode(node(minimal), DOMAIN).workloadSds).toBe('sds-grpc');
    // An agent with an empty ProxyConfig still sends the object.
    expect(parseProxyNode(node({ PROXY_CONFIG: {} }), DOMAIN).workloadSds).toBe('sds-grpc');
  });

  it('is ads for an Envoy without the agent, even one sending Istio-looking metadata', () => {
    expect(parseProxyNode(node({}), DOMAIN).workloadSds).toBe('ads');
    expect(parseProxyNode({ id: 'sidecar~1.2.3.4~foo.bar~bar.svc.cluster.local' }, DOMAIN).workloadSds).toBe('ads');
    const istioLooking = { NAMESPACE: 'bar', ISTIO_VERSION: '1.24.0', CLUSTER_ID: 'Kubernetes', ENVOY_STATUS_PORT: 15021, PILOT_SAN: ['istiod.istio-system.svc'] };
    expect(parseProxyNode(node(istioLooking), DOMAIN).workloadSds).toBe('ads');
  });

  it('is not fooled by a PROXY_CONFIG that is not an object', () => {
    expect(parseProxyNode(node({ PROXY_CONFIG: 'yes' }), DOMAIN).workloadSds).toBe('ads');
    expect(parseProxyNode(node({ PROXY_CONFIG: null }), DOMAIN).workloadSds).toBe('ads');
    expect(parseProxyNode(node({ PROXY_CONFIG: [] }), DOMAIN).workloadSds).toBe('ads');
  });

  it('follows the explicit marker either way, over PROXY_CONFIG', () => {
    expect(parseProxyNode(node({ ...PILOT_AGENT_METADATA, [WORKLOAD_SDS_METADATA]: 'ads' }), DOMAIN).workloadSds).toBe('ads');
    expect(parseProxyNode(node({ [WORKLOAD_SDS_METADATA]: 'sds-grpc' }), DOMAIN).workloadSds).toBe('sds-grpc');
  });

  it('refuses a marker it does not know, naming the key, the node and the accepted values', () => {
    const bad = node({ [WORKLOAD_SDS_METADATA]: 'spire' });
    expect(() => parseProxyNode(bad, DOMAIN)).toThrow(ProxyNodeError);
    expect(() => parseProxyNode(bad, DOMAIN)).toThrow(/TSIOD_WORKLOAD_SDS is "spire"; expected "ads" or "sds-grpc"/);
    expect(() => parseProxyNode(bad, DOMAIN)).toThrow(/sidecar~1\.2\.3\.4~foo\.bar/);
    expect(() => parseProxyNode(node({ [WORKLOAD_SDS_METADATA]: true }), DOMAIN)).toThrow(ProxyNodeError);
  });
});
