import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../src/model/build-snapshot.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';
import { bookinfoObjects, withObject } from './bookinfo.js';

const mesh = DEFAULT_MESH_CONFIG;
const REVIEWS = 'reviews.default.svc.cluster.local';

describe('buildSnapshot from examples/bookinfo', () => {
  const snapshot = buildSnapshot({ mesh, objects: bookinfoObjects() });

  it('has one service per Bookinfo Service, FQDN hosts sorted', () => {
    expect([...snapshot.services.keys()]).toEqual([
      'details.default.svc.cluster.local',
      'productpage.default.svc.cluster.local',
      'ratings.default.svc.cluster.local',
      REVIEWS,
    ]);
  });

  it('reads port 9080 named grpc as a GRPC port of an EDS Kubernetes service', () => {
    const reviews = snapshot.services.get(REVIEWS)!;
    expect(reviews).toMatchObject({ name: 'reviews', namespace: 'default', origin: 'kubernetes', resolution: 'EDS', exportTo: ['*'] });
    expect(reviews.ports).toEqual([{ name: 'grpc', port: 9080, protocol: 'GRPC' }]);
  });

  it('gives reviews one endpoint per version with the Pod labels and service account', () => {
    const endpoints = snapshot.endpoints.get(REVIEWS)!;
    expect(endpoints.map((e) => [e.address, e.port, e.labels['version'], e.workloadName])).toEqual([
      ['127.0.0.1', 19083, 'v1', 'pod/default/reviews-v1'],
      ['127.0.0.1', 19084, 'v2', 'pod/default/reviews-v2'],
      ['127.0.0.1', 19085, 'v3', 'pod/default/reviews-v3'],
    ]);
    expect(endpoints.every((e) => e.servicePortName === 'grpc' && e.servicePort === 9080 && e.ready)).toBe(true);
    expect(endpoints[0]!.serviceAccount).toBe('bookinfo-reviews');
    expect(snapshot.endpoints.get('productpage.default.svc.cluster.local')!.map((e) => e.port)).toEqual([19080]);
  });

  it('resolves VirtualService and DestinationRule hosts to FQDNs', () => {
    const [vs] = snapshot.virtualServices;
    expect(vs!.spec.hosts).toEqual([REVIEWS]);
    expect(vs!.spec.http![0]!.route!.map((r) => [r.destination.host, r.destination.subset, r.weight])).toEqual([
      [REVIEWS, 'v1', 60],
      [REVIEWS, 'v2', 30],
      [REVIEWS, 'v3', 10],
    ]);
    expect(vs!.meta).toMatchObject({ kind: 'VirtualService', apiVersion: 'networking.istio.io/v1', source: 'reviews-routing.yaml#2' });
    const [dr] = snapshot.destinationRules;
    expect(dr!.spec.host).toBe(REVIEWS);
    expect(dr!.spec.subsets!.map((s) => s.labels)).toEqual([{ version: 'v1' }, { version: 'v2' }, { version: 'v3' }]);
  });

  it('freezes what it returns', () => {
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.services.get(REVIEWS))).toBe(true);
    expect(Object.isFrozen(snapshot.endpoints.get(REVIEWS))).toBe(true);
    expect(Object.isFrozen(snapshot.virtualServices[0]!.spec.hosts)).toBe(true);
    expect(() => (snapshot.services as Map<string, unknown>).set('x', {})).toThrow(TypeError);
  });
});

describe('buildSnapshot reuse', () => {
  const objects = bookinfoObjects();
  const first = buildSnapshot({ mesh, objects });

  it('reuses every unchanged service, endpoint list and config by reference', () => {
    const second = buildSnapshot({ mesh, objects: [...objects].reverse() }, first);
    expect(second.id).toBe(first.id + 1);
    for (const [host, service] of first.services) expect(second.services.get(host)).toBe(service);
    for (const host of first.endpoints.hosts()) expect(second.endpoints.get(host)).toBe(first.endpoints.get(host));
    expect(second.virtualServices[0]).toBe(first.virtualServices[0]);
    expect(second.destinationRules[0]).toBe(first.destinationRules[0]);
    expect(second.mesh).toBe(first.mesh);
  });

  it('reuses a config whose only change is the resourceVersion the apiserver bumped', () => {
    const bumped = objects.map((o) => (o.kind === 'VirtualService' ? { ...o, metadata: { ...o.metadata, resourceVersion: '999' } } : o));
    const second = buildSnapshot({ mesh, objects: bumped }, first);
    expect(second.virtualServices[0]).toBe(first.virtualServices[0]);
    const respec = bumped.map((o) => (o.kind === 'VirtualService' ? { ...o, content: { ...o.content, spec: { hosts: ['reviews'], http: [] } } } : o));
    expect(buildSnapshot({ mesh, objects: respec }, first).virtualServices[0]).not.toBe(first.virtualServices[0]);
  });

  it('replaces only the endpoint list an EndpointSlice change touches', () => {
    const edited = withObject(
      objects,
      `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-v3, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
ports: [{name: grpc, port: 19085}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: false}, targetRef: {kind: Pod, name: reviews-v3}}]
`,
    );
    const second = buildSnapshot({ mesh, objects: edited }, first);
    expect(second.endpoints.get(REVIEWS)).not.toBe(first.endpoints.get(REVIEWS));
    expect(second.endpoints.get(REVIEWS)!.map((e) => e.ready)).toEqual([true, true, false]);
    expect(second.services.get(REVIEWS)).toBe(first.services.get(REVIEWS));
    expect(second.endpoints.get('ratings.default.svc.cluster.local')).toBe(first.endpoints.get('ratings.default.svc.cluster.local'));
  });
});

describe('buildSnapshot rules', () => {
  const service = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, annotations: {networking.istio.io/exportTo: ".,istio-system"}}
spec:
  clusterIP: 10.96.0.10
  ports: [{name: http-main, port: 80, targetPort: 8080}, {name: admin, port: 9000, appProtocol: http}]
`;

  it('takes exportTo from the annotation and protocols from names and appProtocol', () => {
    const snapshot = buildSnapshot({ mesh, objects: withObject([], service) });
    const web = snapshot.services.get('web.shop.svc.cluster.local')!;
    expect(web.exportTo).toEqual(['.', 'istio-system']);
    expect(web.clusterIP).toBe('10.96.0.10');
    expect(web.ports).toEqual([
      { name: 'http-main', port: 80, protocol: 'HTTP', targetPort: 8080 },
      { name: 'admin', port: 9000, protocol: 'HTTP' },
    ]);
    expect(snapshot.endpoints.get('web.shop.svc.cluster.local')).toEqual([]);
  });

  it('uses legacy Endpoints only when the Service has no EndpointSlice', () => {
    const legacy = `apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: shop}
subsets:
  - addresses: [{ip: 10.1.0.1}]
    notReadyAddresses: [{ip: 10.1.0.2}]
    ports: [{name: http-main, port: 8080}]
`;
    const slice = `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-abc, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http-main, port: 8080}, {name: admin, port: 9001}]
endpoints: [{addresses: [10.2.0.1]}]
`;
    let objects = withObject(withObject([], service), legacy, 'ep.yaml');
    const fromLegacy = buildSnapshot({ mesh, objects }).endpoints.get('web.shop.svc.cluster.local')!;
    expect(fromLegacy.map((e) => [e.address, e.port, e.ready])).toEqual([
      ['10.1.0.1', 8080, true],
      ['10.1.0.2', 8080, false],
    ]);
    objects = withObject(objects, slice, 'slice.yaml');
    const fromSlice = buildSnapshot({ mesh, objects }).endpoints.get('web.shop.svc.cluster.local')!;
    expect(fromSlice.map((e) => [e.address, e.port, e.servicePort])).toEqual([
      ['10.2.0.1', 8080, 80],
      ['10.2.0.1', 9001, 9000],
    ]);
  });

  it('finds the Pod by IP when the endpoint has no targetRef, but not when the IP is shared', () => {
    const pod = (name: string, ip: string, labels: string): string =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: shop, labels: {${labels}}}\nspec: {serviceAccountName: web-sa}\nstatus: {podIP: ${ip}}\n`;
    const slice = `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-abc, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http-main, port: 8080}]
endpoints: [{addresses: [10.2.0.1], zone: us-east1-b}, {addresses: [10.2.0.9]}]
`;
    let objects = withObject([], service);
    objects = withObject(objects, slice, 'slice.yaml');
    objects = withObject(objects, pod('web-1', '10.2.0.1', 'app: web, security.istio.io/tlsMode: istio, topology.kubernetes.io/region: us-east1'), 'p1.yaml');
    objects = withObject(objects, pod('old-1', '10.2.0.9', 'app: old'), 'p2.yaml');
    objects = withObject(objects, pod('old-2', '10.2.0.9', 'app: older'), 'p3.yaml');
    const [byIp, shared] = buildSnapshot({ mesh, objects }).endpoints.get('web.shop.svc.cluster.local')!;
    expect(byIp).toMatchObject({
      labels: { app: 'web' },
      tlsMode: 'istio',
      serviceAccount: 'web-sa',
      locality: { region: 'us-east1', zone: 'us-east1-b' },
      workloadName: 'pod/shop/web-1',
    });
    expect(shared!.labels).toEqual({});
    expect(shared!.workloadName).toBeUndefined();
  });

  it('turns a ServiceEntry into one service per host with its endpoints', () => {
    const entry = `apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: {name: external, namespace: shop}
spec:
  hosts: [api.example.com, www.example.com]
  location: MESH_EXTERNAL
  resolution: STATIC
  ports: [{number: 443, name: https, protocol: HTTPS}, {number: 80, name: http, protocol: HTTP, targetPort: 8080}]
  endpoints:
    - {address: 192.0.2.1, ports: {https: 8443}, labels: {tier: a}, weight: 3, locality: us/east}
`;
    const snapshot = buildSnapshot({ mesh, objects: withObject([], entry) });
    expect([...snapshot.services.keys()]).toEqual(['api.example.com', 'www.example.com']);
    expect(snapshot.services.get('api.example.com')).toMatchObject({
      namespace: 'shop',
      origin: 'serviceentry',
      resolution: 'STATIC',
      meshExternal: true,
      ports: [
        { name: 'https', port: 443, protocol: 'HTTPS' },
        { name: 'http', port: 80, protocol: 'HTTP', targetPort: 8080 },
      ],
    });
    expect(snapshot.endpoints.get('www.example.com')!.map((e) => [e.address, e.port, e.servicePort, e.weight, e.locality])).toEqual([
      ['192.0.2.1', 8080, 80, 3, { region: 'us', zone: 'east' }],
      ['192.0.2.1', 8443, 443, 3, { region: 'us', zone: 'east' }],
    ]);
  });

  it('uses the host itself as the endpoint of a DNS ServiceEntry without endpoints', () => {
    const entry = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: google}
spec: {hosts: [www.google.com], resolution: DNS, ports: [{number: 443, name: tls, protocol: TLS}]}
`;
    const snapshot = buildSnapshot({ mesh, objects: withObject([], entry) });
    expect(snapshot.endpoints.get('www.google.com')!.map((e) => [e.address, e.port])).toEqual([['www.google.com', 443]]);
  });

  it('leaves a VirtualService host that already has a dot, or a wildcard, as written', () => {
    const vs = `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: mixed, namespace: shop}
spec:
  hosts: [web, api.example.com, "*.example.org"]
  gateways: [istio-system/ingress]
  http: [{route: [{destination: {host: web}}]}]
`;
    const [resolved] = buildSnapshot({ mesh, objects: withObject([], vs) }).virtualServices;
    expect(resolved!.spec.hosts).toEqual(['web.shop.svc.cluster.local', 'api.example.com', '*.example.org']);
    expect(resolved!.spec.http![0]!.route![0]!.destination.host).toBe('web.shop.svc.cluster.local');
  });
});
