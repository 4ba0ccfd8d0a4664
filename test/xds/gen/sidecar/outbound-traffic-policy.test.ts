/**
 * Where a sidecar sends traffic for unknown destinations: the mesh's
 * outboundTrafficPolicy, overridden by the applying Sidecar's (Istio's
 * SidecarScope.OutboundTrafficPolicy), in virtualOutbound's catch-all chain,
 * the TCP listeners' fallthrough chain and the route configurations'
 * catch-all virtual host.
 */
import { describe, expect, it } from 'vitest';
import type { SidecarSpec } from '../../../../src/model/types.js';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { rdsGenerator } from '../../../../src/xds/gen/rds/rds-generator.js';
import { ListenerType, RouteType } from '../../../../src/xds/proto/type-urls.js';
import { expectValidOnTheWire } from '../gateway/helpers/gateway-mesh.js';
import { generateFor, resourceNamed } from '../helpers/generate.js';
import { kubeService, port, proxy, sidecarResource, snapshot } from '../helpers/mesh-builder.js';
import { chainNamed, typedConfig, type Json } from './sidecar-test-helpers.js';

const reviews = kubeService('reviews', 'default', [port(9080, 'HTTP', 'http')], { clusterIP: '10.96.0.12' });

function withSidecar(spec: SidecarSpec, meshMode: 'ALLOW_ANY' | 'REGISTRY_ONLY' = 'ALLOW_ANY'): ReturnType<typeof snapshot> {
  return snapshot({ services: [reviews], sidecars: [sidecarResource('default', 'default', spec)], mesh: { outboundTrafficPolicy: meshMode } });
}

function catchAllCluster(snap: ReturnType<typeof snapshot>): string {
  const virtual = resourceNamed(generateFor(ldsGenerator, snap, proxy('sidecar')), 'virtualOutbound');
  return typedConfig(chainNamed(virtual, 'virtualOutbound-catchall-tcp'))['cluster'] as string;
}

function catchAllVirtualHost(snap: ReturnType<typeof snapshot>): Json {
  const config = resourceNamed(generateFor(rdsGenerator, snap, proxy('sidecar')), '9080');
  return (config['virtualHosts'] as Json[]).at(-1) as Json;
}

describe('outboundTrafficPolicy', () => {
  it("follows the mesh when the Sidecar sets none", () => {
    const snap = withSidecar({ egress: [{ hosts: ['./*'] }] }, 'REGISTRY_ONLY');
    expect(catchAllCluster(snap)).toBe('BlackHoleCluster');
    expect(catchAllVirtualHost(snap)).toMatchObject({ name: 'block_all', routes: [{ directResponse: { status: 502 } }] });
  });

  it("REGISTRY_ONLY on the Sidecar overrides the mesh's ALLOW_ANY", () => {
    const snap = withSidecar({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(catchAllCluster(snap)).toBe('BlackHoleCluster');
    expect(catchAllVirtualHost(snap)['name']).toBe('block_all');
  });

  it("ALLOW_ANY on the Sidecar overrides the mesh's REGISTRY_ONLY", () => {
    const snap = withSidecar({ outboundTrafficPolicy: { mode: 'ALLOW_ANY' } }, 'REGISTRY_ONLY');
    expect(catchAllCluster(snap)).toBe('PassthroughCluster');
    expect(catchAllVirtualHost(snap)).toMatchObject({ name: 'allow_any', routes: [{ route: { cluster: 'PassthroughCluster' } }] });
  });

  it('a policy without a mode is REGISTRY_ONLY, the enum default', () => {
    expect(catchAllCluster(withSidecar({ outboundTrafficPolicy: {} }))).toBe('BlackHoleCluster');
  });

  it('sends unknown destinations to the egress proxy when ALLOW_ANY names one', () => {
    const egressProxy = { host: 'egress.istio-system.svc.cluster.local', subset: 'v1', port: { number: 443 } };
    const snap = withSidecar({ outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy } });
    const cluster = 'outbound|443|v1|egress.istio-system.svc.cluster.local';
    expect(catchAllCluster(snap)).toBe(cluster);
    expect(catchAllVirtualHost(snap)).toMatchObject({ name: 'allow_any', routes: [{ route: { cluster } }] });
    expectValidOnTheWire(ListenerType, generateFor(ldsGenerator, snap, proxy('sidecar')));
    expectValidOnTheWire(RouteType, generateFor(rdsGenerator, snap, proxy('sidecar')));
  });

  it('applies only to the workloads the Sidecar selects', () => {
    const snap = snapshot({
      services: [reviews],
      sidecars: [sidecarResource('strict', 'default', { workloadSelector: { matchLabels: { app: 'locked' } }, outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } })],
    });
    const virtual = (labels: Record<string, string>): string =>
      typedConfig(chainNamed(resourceNamed(generateFor(ldsGenerator, snap, proxy('sidecar', 'default', labels)), 'virtualOutbound'), 'virtualOutbound-catchall-tcp'))['cluster'] as string;
    expect(virtual({ app: 'locked' })).toBe('BlackHoleCluster');
    expect(virtual({ app: 'other' })).toBe('PassthroughCluster');
  });
});
