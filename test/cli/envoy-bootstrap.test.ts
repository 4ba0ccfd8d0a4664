/**
 * tsiod's own Envoy bootstrap runs Envoy without pilot-agent: it defines no
 * "sds-grpc" cluster, so its node must make tsiod name the workload's
 * secrets over ADS, and must do so whatever else the node carries.
 */
import { describe, expect, it } from 'vitest';
import { envoyBootstrap, type EnvoyBootstrapOptions } from '../../src/cli/envoy-bootstrap.js';
import { parseProxyNode, type XdsNode } from '../../src/model/proxy.js';

const OPTIONS: EnvoyBootstrapOptions = {
  xdsHost: '127.0.0.1',
  xdsPort: 15010,
  adminPort: 15000,
  namespace: 'shop',
  nodeId: 'sidecar~127.0.0.1~web-0.shop~shop.svc.cluster.local',
  labels: { app: 'web' },
};

interface Bootstrap {
  node: { id: string; metadata: Record<string, unknown> };
  static_resources: { clusters: Array<{ name: string }> };
}

describe('tsiod bootstrap --proxy envoy', () => {
  const bootstrap = envoyBootstrap(OPTIONS) as unknown as Bootstrap;

  it('defines no sds-grpc cluster: nothing local serves SDS', () => {
    expect(bootstrap.static_resources.clusters.map((c) => c.name)).not.toContain('sds-grpc');
  });

  it('announces a node tsiod serves its certificate and trust bundle over ADS', () => {
    const xdsNode: XdsNode = { id: bootstrap.node.id, metadata: bootstrap.node.metadata, userAgentName: 'envoy' };
    const proxy = parseProxyNode(xdsNode, 'cluster.local');
    expect(proxy.type).toBe('sidecar');
    expect(proxy.namespace).toBe('shop');
    expect(proxy.workloadSds).toBe('ads');
  });

  it('says so outright, so that Istio metadata added to it (PROXY_CONFIG) does not change the answer', () => {
    const metadata = { ...bootstrap.node.metadata, PROXY_CONFIG: { discoveryAddress: 'istiod.istio-system.svc:15012' } };
    expect(parseProxyNode({ id: bootstrap.node.id, metadata }, 'cluster.local').workloadSds).toBe('ads');
  });
});
