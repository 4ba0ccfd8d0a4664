import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/config/change-set.js';
import { buildSnapshot } from '../../src/model/build-snapshot.js';
import { classifyChange, isEmptyPush } from '../../src/push/classify-change.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';
import { bookinfoObjects, withObject } from '../model/bookinfo.js';

const mesh = DEFAULT_MESH_CONFIG;
const REVIEWS = 'reviews.default.svc.cluster.local';

function updated(...keys: string[]): ChangeSet {
  return { added: new Set(), updated: new Set(keys), removed: new Set(), kinds: new Set(keys.map((k) => k.split('/')[0]!)) };
}

const reviewsV3Slice = (ready: boolean): string => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-v3, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
ports: [{name: grpc, port: 19085}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: ${ready}}, targetRef: {kind: Pod, name: reviews-v3}}]
`;

describe('classifyChange', () => {
  const objects = bookinfoObjects();
  const previous = buildSnapshot({ mesh, objects });

  it('pushes everything for the first snapshot', () => {
    const request = classifyChange(updated(), undefined, previous);
    expect(request.full).toBe(true);
    expect([...request.reasons]).toEqual(['initial']);
  });

  it('pushes only EDS for the hosts whose endpoints an EndpointSlice change moved', () => {
    const next = buildSnapshot({ mesh, objects: withObject(objects, reviewsV3Slice(false)) }, previous);
    const request = classifyChange(updated('EndpointSlice/default/reviews-v3'), previous, next);
    expect(request.full).toBe(false);
    expect([...request.endpointHosts]).toEqual([REVIEWS]);
  });

  it('keeps an endpoint edit endpoint-only when it shifts the document index of a DestinationRule in the same file', () => {
    const dr = 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: extra}\nspec: {host: ratings}\n';
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: spare, labels: {app: spare}}\nstatus: {podIP: 127.0.0.9}\n';
    const before = buildSnapshot({ mesh, objects: withObject(objects, dr, 'mixed.yaml') }, previous);
    const after = buildSnapshot({ mesh, objects: withObject(objects, `${pod}---\n${dr}`, 'mixed.yaml') }, before);
    const request = classifyChange(updated('Pod/default/spare', 'DestinationRule/default/extra'), before, after);
    expect(request.full).toBe(false);
  });

  it('treats a Pod label change as endpoint-only (subset membership moves)', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: reviews-v3, labels: {app: reviews, version: v2}}\nspec: {serviceAccountName: bookinfo-reviews}\n';
    const next = buildSnapshot({ mesh, objects: withObject(objects, pod) }, previous);
    const request = classifyChange(updated('Pod/default/reviews-v3'), previous, next);
    expect(request.full).toBe(false);
    expect([...request.endpointHosts]).toEqual([REVIEWS]);
  });

  it('returns a request with nothing to push when the snapshot did not change (a Pod annotation)', () => {
    const pod =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: reviews-v3, labels: {app: reviews, version: v3}, annotations: {note: hi}}\nspec: {serviceAccountName: bookinfo-reviews}\n';
    const next = buildSnapshot({ mesh, objects: withObject(objects, pod) }, previous);
    const request = classifyChange(updated('Pod/default/reviews-v3'), previous, next);
    expect(isEmptyPush(request)).toBe(true);
  });

  it('pushes everything when an endpoint change brings a new service account (ISTIO_MUTUAL SANs live in CDS)', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: reviews-v3, labels: {app: reviews, version: v3}}\nspec: {serviceAccountName: reviews-canary}\n';
    const next = buildSnapshot({ mesh, objects: withObject(objects, pod) }, previous);
    const request = classifyChange(updated('Pod/default/reviews-v3'), previous, next);
    expect(request.full).toBe(true);
  });

  describe('a cluster forwarding to the original destination (PASSTHROUGH) uses auto mTLS only while every endpoint has a sidecar', () => {
    const pod = (version: string, sidecar: boolean): string =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: reviews-${version}, labels: {app: reviews, version: ${version}${sidecar ? ', security.istio.io/tlsMode: istio' : ''}}}\nspec: {serviceAccountName: bookinfo-reviews}\n`;
    const passthrough =
      'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec:\n  host: reviews\n  trafficPolicy: {loadBalancer: {simple: PASSTHROUGH}}\n';
    // v1 and v2 have sidecars; v3 is the last one without.
    const sidecars = withObject(withObject(objects, pod('v1', true)), pod('v2', true));

    it('rebuilds clusters (a full push) when the last endpoint without a sidecar gets one', () => {
      const before = buildSnapshot({ mesh, objects: withObject(sidecars, passthrough) });
      const after = buildSnapshot({ mesh, objects: withObject(withObject(sidecars, passthrough), pod('v3', true)) }, before);
      expect(classifyChange(updated('Pod/default/reviews-v3'), before, after).full).toBe(true);
    });

    it('keeps the same change endpoint-only without a PASSTHROUGH rule: transport socket matches pick per endpoint', () => {
      const before = buildSnapshot({ mesh, objects: sidecars });
      const after = buildSnapshot({ mesh, objects: withObject(sidecars, pod('v3', true)) }, before);
      const request = classifyChange(updated('Pod/default/reviews-v3'), before, after);
      expect(request.full).toBe(false);
      expect([...request.endpointHosts]).toEqual([REVIEWS]);
    });
  });

  it('pushes a changed gateway credential to the proxies of its namespace only (SDS serves it nowhere else)', () => {
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    const secret = (cert: string): string => `apiVersion: v1
kind: Secret
metadata: {name: bookinfo-cert, namespace: istio-system}
type: kubernetes.io/tls
data: {tls.crt: ${b64(`-----BEGIN CERTIFICATE-----\n${cert}\n-----END CERTIFICATE-----\n`)}, tls.key: ${b64('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n')}}
`;
    const before = buildSnapshot({ mesh, objects: withObject(objects, secret('MIIBold'), 'cert.yaml') }, previous);
    const after = buildSnapshot({ mesh, objects: withObject(objects, secret('MIIBnew'), 'cert.yaml') }, before);
    const request = classifyChange(updated('Secret/istio-system/bookinfo-cert'), before, after);
    expect(request.full).toBe(true);
    expect([...request.reasons]).toEqual(['secret']);
    expect([...(request.namespaces ?? [])]).toEqual(['istio-system']);
  });

  it('pushes everything for a VirtualService change', () => {
    const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v1}}]}]}
`;
    const next = buildSnapshot({ mesh, objects: withObject(objects, vs) }, previous);
    const request = classifyChange(updated('VirtualService/default/reviews'), previous, next);
    expect(request.full).toBe(true);
    expect([...request.configsUpdated]).toEqual(['VirtualService/default/reviews']);
    expect(isEmptyPush(request)).toBe(false);
  });

  it("pushes only EDS for the hosts of a Node's Pods when its topology labels change (their locality)", () => {
    const node = (zone: string): string => `apiVersion: v1\nkind: Node\nmetadata: {name: node-a, labels: {topology.kubernetes.io/region: us-east1, topology.kubernetes.io/zone: ${zone}}}\n`;
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: reviews-v3, labels: {app: reviews, version: v3}}\nspec: {serviceAccountName: bookinfo-reviews, nodeName: node-a}\n';
    const onNode = withObject(withObject(objects, pod), node('us-east1-b'), 'node.yaml');
    const before = buildSnapshot({ mesh, objects: onNode });
    const changes = updated('Node//node-a');
    const after = buildSnapshot({ mesh, objects: withObject(onNode, node('us-east1-c'), 'node.yaml') }, before, changes);
    const request = classifyChange(changes, before, after);
    expect(request.full).toBe(false);
    expect([...request.endpointHosts]).toEqual([REVIEWS]);
    expect(after.endpoints.get(REVIEWS)!.find((e) => e.workloadName === 'pod/default/reviews-v3')!.locality).toEqual({ region: 'us-east1', zone: 'us-east1-c' });
  });

  it('pushes everything for a Service port change', () => {
    const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: reviews}\nspec: {ports: [{name: http, port: 9080}]}\n';
    const next = buildSnapshot({ mesh, objects: withObject(objects, service) }, previous);
    expect(classifyChange(updated('Service/default/reviews'), previous, next).full).toBe(true);
  });

  it('pushes everything when STATIC ServiceEntry endpoints change, since its clusters embed them', () => {
    const entry = (ip: string): string => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db}
spec: {hosts: [db.example.com], resolution: STATIC, ports: [{number: 5432, name: tcp, protocol: TCP}], endpoints: [{address: ${ip}}]}
`;
    const before = buildSnapshot({ mesh, objects: withObject(objects, entry('192.0.2.1')) });
    const after = buildSnapshot({ mesh, objects: withObject(objects, entry('192.0.2.2')) }, before);
    const request = classifyChange(updated('ServiceEntry/default/db'), before, after);
    expect(request.full).toBe(true);
  });
});
