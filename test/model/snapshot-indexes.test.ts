/**
 * The snapshot's lookups against Istio's documented precedence:
 * - DestinationRule: "the client namespace first, then the service's namespace,
 *   then the root namespace" (istio.io traffic-management best practices,
 *   "Cross-namespace configuration"), exportTo honoured, several rules for
 *   one host in one namespace merged with the first one's traffic policy.
 * - VirtualService: a client's own namespace's VirtualServices come first
 *   (a namespace can override a public one for its own clients); exportTo
 *   "." keeps one private; gateways: bind it to "namespace/name" gateways.
 * - Sidecar: one selecting the workload, else the namespace's default,
 *   else the root namespace's ("Sidecar" reference: workloadSelector
 *   precedence and the mesh-wide default in the root namespace).
 * - Policies: root-namespace policies without selector are mesh-wide,
 *   namespace ones without selector namespace-wide, selectors pick workloads.
 */
import { describe, expect, it } from 'vitest';
import { snapshotFromData } from '../../src/model/serialize-snapshot.js';
import { DEFAULT_MESH_CONFIG, type IstioConfig, type MeshSnapshot } from '../../src/model/types.js';

const REVIEWS = 'reviews.bookstore.svc.cluster.local';

function config<S>(kind: string, namespace: string, name: string, spec: S): IstioConfig<S> {
  return { meta: { kind, apiVersion: 'networking.istio.io/v1', name, namespace }, spec };
}

function snapshotWith(parts: Omit<Parameters<typeof snapshotFromData>[0], 'mesh'>): MeshSnapshot {
  return snapshotFromData({ mesh: DEFAULT_MESH_CONFIG, ...parts });
}

describe('destinationRuleFor', () => {
  const inServiceNs = config('DestinationRule', 'bookstore', 'reviews', { host: REVIEWS, subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
  const inClientNs = config('DestinationRule', 'shop', 'reviews', { host: REVIEWS, subsets: [{ name: 'canary', labels: { track: 'canary' } }] });
  const inRoot = config('DestinationRule', 'istio-system', 'all-local', { host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
  const from = (s: MeshSnapshot, client: string, host = REVIEWS, serviceNs: string | undefined = 'bookstore'): readonly string[] | undefined =>
    s.indexes.destinationRuleFor(client, host, serviceNs)?.from;

  it('prefers the client namespace, then the service namespace, then the root namespace', () => {
    const s = snapshotWith({ destinationRules: [inRoot, inServiceNs, inClientNs] });
    expect(from(s, 'shop')).toEqual(['shop/reviews']);
    expect(from(s, 'other')).toEqual(['bookstore/reviews']);
    expect(from(snapshotWith({ destinationRules: [inRoot] }), 'other')).toEqual(['istio-system/all-local']);
  });

  it('takes the most specific host within a namespace: exact beats *.bookstore.svc.cluster.local beats *.local', () => {
    const wildcard = config('DestinationRule', 'bookstore', 'all-bookstore', { host: '*.bookstore.svc.cluster.local' });
    const broad = config('DestinationRule', 'bookstore', 'everything', { host: '*.local' });
    expect(from(snapshotWith({ destinationRules: [broad, wildcard, inServiceNs] }), 'other')).toEqual(['bookstore/reviews']);
    expect(from(snapshotWith({ destinationRules: [broad, wildcard] }), 'other')).toEqual(['bookstore/all-bookstore']);
    expect(from(snapshotWith({ destinationRules: [broad, wildcard] }), 'other', 'ratings.shop.svc.cluster.local', 'shop')).toBeUndefined();
  });

  it('does not show a rule exported only to its own namespace ("." or its name) elsewhere', () => {
    for (const exportTo of [['.'], ['bookstore']]) {
      const s = snapshotWith({ destinationRules: [config('DestinationRule', 'bookstore', 'reviews', { host: REVIEWS, exportTo })] });
      expect(from(s, 'bookstore')).toEqual(['bookstore/reviews']);
      expect(from(s, 'shop')).toBeUndefined();
    }
    const toShop = snapshotWith({ destinationRules: [config('DestinationRule', 'bookstore', 'reviews', { host: REVIEWS, exportTo: ['shop'] })] });
    expect(from(toShop, 'shop')).toEqual(['bookstore/reviews']);
    expect(from(toShop, 'other')).toBeUndefined();
  });

  it('merges rules for one host in one namespace: the oldest keeps its traffic policy, later ones add subsets with new names', () => {
    const first = config('DestinationRule', 'bookstore', 'a', { host: REVIEWS, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    const second = config('DestinationRule', 'bookstore', 'b', {
      host: REVIEWS,
      trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } },
      subsets: [{ name: 'v1', labels: { version: 'other' } }, { name: 'v2', labels: { version: 'v2' } }],
    });
    const merged = snapshotWith({ destinationRules: [first, second] }).indexes.destinationRuleFor('other', REVIEWS, 'bookstore');
    expect(merged?.from).toEqual(['bookstore/a', 'bookstore/b']);
    expect(merged?.rule.spec.trafficPolicy).toEqual({ loadBalancer: { simple: 'RANDOM' } });
    expect(merged?.rule.spec.subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }]);
  });

  it('a root-namespace client sees the root namespace rules first, private ones included', () => {
    const rootPrivate = config('DestinationRule', 'istio-system', 'reviews', { host: REVIEWS, exportTo: ['.'] });
    const s = snapshotWith({ destinationRules: [inServiceNs, rootPrivate] });
    expect(from(s, 'istio-system')).toEqual(['istio-system/reviews']);
    expect(from(s, 'shop')).toEqual(['bookstore/reviews']);
  });

  it('a rule with a workload selector applies only to the workloads it selects, in its own namespace', () => {
    const selected = config('DestinationRule', 'shop', 'for-canary-clients', { host: REVIEWS, workloadSelector: { matchLabels: { app: 'cart' } }, subsets: [{ name: 'x' }] });
    const s = snapshotWith({ destinationRules: [inServiceNs, selected] });
    expect(s.indexes.destinationRuleFor('shop', REVIEWS, 'bookstore', { app: 'cart' })?.from).toEqual(['shop/for-canary-clients']);
    expect(s.indexes.destinationRuleFor('shop', REVIEWS, 'bookstore', { app: 'web' })).toBeUndefined();
    expect(s.indexes.destinationRuleFor('other', REVIEWS, 'bookstore', { app: 'cart' })?.from).toEqual(['bookstore/reviews']);
  });
});

describe('virtualServices by gateway and host', () => {
  const publicVs = config('VirtualService', 'bookstore', 'reviews', { hosts: [REVIEWS] });
  const override = config('VirtualService', 'shop', 'reviews-override', { hosts: [REVIEWS], exportTo: ['.'] });
  const wildcard = config('VirtualService', 'bookstore', 'all', { hosts: ['*.bookstore.svc.cluster.local'] });
  const atGateway = config('VirtualService', 'bookstore', 'edge', { hosts: ['books.example.com'], gateways: ['shop/storefront'] });

  it('a client namespace with its own VirtualService for a host uses it; others use the public one', () => {
    const s = snapshotWith({ virtualServices: [publicVs, override] });
    expect(s.indexes.virtualServiceForHost('shop', 'mesh', REVIEWS)?.meta.name).toBe('reviews-override');
    expect(s.indexes.virtualServiceForHost('other', 'mesh', REVIEWS)?.meta.name).toBe('reviews');
    expect(s.indexes.virtualServicesForGateway('shop', 'mesh').map((v) => v.meta.name)).toEqual(['reviews-override', 'reviews']);
    expect(s.indexes.virtualServicesForGateway('other', 'mesh').map((v) => v.meta.name)).toEqual(['reviews']);
  });

  it('an exact host beats a wildcard whatever their order; the wildcard covers the rest', () => {
    const s = snapshotWith({ virtualServices: [wildcard, publicVs] });
    expect(s.indexes.virtualServiceForHost('x', 'mesh', REVIEWS)?.meta.name).toBe('reviews');
    expect(s.indexes.virtualServiceForHost('x', 'mesh', 'ratings.bookstore.svc.cluster.local')?.meta.name).toBe('all');
    expect(s.indexes.virtualServiceForHost('x', 'mesh', 'ratings.shop.svc.cluster.local')).toBeUndefined();
  });

  it('binds a VirtualService to the gateways it names and not to the mesh', () => {
    const s = snapshotWith({ virtualServices: [publicVs, atGateway] });
    expect(s.indexes.virtualServicesForGateway('any', 'shop/storefront').map((v) => v.meta.name)).toEqual(['edge']);
    expect(s.indexes.virtualServiceForHost('any', 'mesh', 'books.example.com')).toBeUndefined();
  });

  it('exportTo "~" hides a VirtualService from everyone', () => {
    const hidden = config('VirtualService', 'bookstore', 'hidden', { hosts: [REVIEWS], exportTo: ['~'] });
    expect(snapshotWith({ virtualServices: [hidden] }).indexes.virtualServiceForHost('bookstore', 'mesh', REVIEWS)).toBeUndefined();
  });
});

describe('sidecarFor', () => {
  const selecting = config('Sidecar', 'bookstore', 'reviews-only', { workloadSelector: { matchLabels: { app: 'reviews' } }, egress: [{ hosts: ['./*'] }] });
  const namespaceDefault = config('Sidecar', 'bookstore', 'default', { egress: [{ hosts: ['./*', 'istio-system/*'] }] });
  const meshDefault = config('Sidecar', 'istio-system', 'default', { egress: [{ hosts: ['*/*'] }] });
  const s = snapshotWith({ sidecars: [meshDefault, namespaceDefault, selecting] });

  it('picks the Sidecar selecting the workload, then the namespace default, then the root namespace default', () => {
    expect(s.indexes.sidecarFor('bookstore', { app: 'reviews', version: 'v1' })?.meta.name).toBe('reviews-only');
    expect(s.indexes.sidecarFor('bookstore', { app: 'ratings' })?.meta.name).toBe('default');
    expect(s.indexes.sidecarFor('shop', { app: 'reviews' })?.meta.namespace).toBe('istio-system');
    expect(snapshotWith({ sidecars: [selecting] }).indexes.sidecarFor('shop', {})).toBeUndefined();
  });
});

describe('gatewaysFor', () => {
  it('matches Gateways to gateway pods by selector, in any namespace', () => {
    const ingress = config('Gateway', 'shop', 'storefront', { selector: { istio: 'ingressgateway' }, servers: [] });
    const egress = config('Gateway', 'istio-system', 'egress', { selector: { istio: 'egressgateway' }, servers: [] });
    const s = snapshotWith({ gateways: [ingress, egress] });
    expect(s.indexes.gatewaysFor({ istio: 'ingressgateway', app: 'istio-ingressgateway' }).map((g) => g.meta.name)).toEqual(['storefront']);
    expect(s.indexes.gatewaysFor({ app: 'reviews' })).toEqual([]);
  });
});

describe('policiesFor', () => {
  const meshWide = config('PeerAuthentication', 'istio-system', 'default', { mtls: { mode: 'STRICT' } });
  const rootSelecting = config('PeerAuthentication', 'istio-system', 'ingress', { selector: { matchLabels: { istio: 'ingressgateway' } } });
  const namespaceWide = config('PeerAuthentication', 'bookstore', 'default', { mtls: { mode: 'PERMISSIVE' } });
  const emptySelector = config('PeerAuthentication', 'bookstore', 'empty-selector', { selector: {} });
  const workload = config('PeerAuthentication', 'bookstore', 'reviews', { selector: { matchLabels: { app: 'reviews' } }, portLevelMtls: { 9080: { mode: 'DISABLE' } } });
  const targeted = config('PeerAuthentication', 'bookstore', 'waypoint', { targetRef: { kind: 'Gateway', name: 'waypoint' } });
  const s = snapshotWith({ peerAuthentications: [meshWide, rootSelecting, namespaceWide, emptySelector, workload, targeted] });
  const names = (namespace: string, labels: Record<string, string>): string[] =>
    s.indexes.policiesFor('PeerAuthentication', namespace, labels).map((p) => `${p.meta.namespace}/${p.meta.name}`);

  it('orders mesh-wide, namespace-wide, then selecting policies; root selectors apply only in the root namespace', () => {
    expect(names('bookstore', { app: 'reviews' })).toEqual(['istio-system/default', 'bookstore/default', 'bookstore/empty-selector', 'bookstore/reviews']);
    expect(names('bookstore', { app: 'ratings' })).toEqual(['istio-system/default', 'bookstore/default', 'bookstore/empty-selector']);
    expect(names('shop', { istio: 'ingressgateway' })).toEqual(['istio-system/default']);
    expect(names('istio-system', { istio: 'ingressgateway' })).toEqual(['istio-system/default', 'istio-system/ingress']);
  });

  it('keeps policies of each kind apart', () => {
    expect(s.indexes.policiesFor('AuthorizationPolicy', 'bookstore', { app: 'reviews' })).toEqual([]);
  });
});

describe('servicesByNamespace', () => {
  it('groups services by their namespace, sorted by host', () => {
    const service = (name: string, namespace: string) => ({
      hostname: `${name}.${namespace}.svc.cluster.local`, name, namespace, ports: [], labels: {}, origin: 'kubernetes' as const,
      resolution: 'EDS' as const, meshExternal: false, exportTo: ['*'],
    });
    const s = snapshotWith({ services: [service('b', 'x'), service('a', 'x'), service('c', 'y')] });
    expect([...s.indexes.servicesByNamespace.keys()]).toEqual(['x', 'y']);
    expect(s.indexes.servicesByNamespace.get('x')!.map((v) => v.name)).toEqual(['a', 'b']);
  });
});

describe('destinationRuleView', () => {
  it('namespaces with the shared view ("") get the same rule for every host as any other such namespace (random rule sets)', () => {
    const namespaces = ['a', 'b', 'c', 'istio-system'];
    const hosts = namespaces.flatMap((ns) => ['x', 'y'].map((n) => `${n}.${ns}.svc.cluster.local`));
    const services = hosts.map((hostname) => ({
      hostname, name: hostname.split('.')[0]!, namespace: hostname.split('.')[1]!, ports: [], labels: {}, origin: 'kubernetes' as const,
      resolution: 'EDS' as const, meshExternal: false, exportTo: ['*'],
    }));
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const rules = Array.from({ length: 1 + next(5) }, (_, i) => {
        const host = [...hosts, '*.a.svc.cluster.local', '*.local'][next(hosts.length + 2)]!;
        const exportTo = [undefined, ['*'], ['.'], ['b'], ['~']][next(5)];
        return config('DestinationRule', namespaces[next(namespaces.length)]!, `r${i}`, { host, ...(exportTo ? { exportTo } : {}), subsets: [{ name: `s${i}` }] });
      });
      const s = snapshotWith({ services, destinationRules: rules });
      const shared = namespaces.concat(['d', 'e']).filter((ns) => s.indexes.destinationRuleView(ns) === '');
      for (const ns of shared) {
        for (const host of hosts) {
          const serviceNs = host.split('.')[1];
          expect(s.indexes.destinationRuleFor(ns, host, serviceNs)?.rule.spec, `round ${round} ns ${ns} host ${host}`).toEqual(
            s.indexes.destinationRuleFor('', host, serviceNs)?.rule.spec,
          );
        }
      }
    }
  });
});
