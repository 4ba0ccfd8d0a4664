/**
 * A ServiceEntry with a workloadSelector takes as endpoints the ready Pods
 * and the WorkloadEntries of its namespace whose labels match, one per
 * entry port, on the workload's port of that name, else the entry port's
 * targetPort, else its number (Istio's ServiceEntry controller,
 * convertWorkloadInstanceToServiceInstance).
 */
import { describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/config/config-object.js';
import { buildSnapshot } from '../../src/model/build-snapshot.js';
import { DEFAULT_MESH_CONFIG, type MeshSnapshot } from '../../src/model/types.js';
import { cdsGenerator } from '../../src/xds/gen/cds/cds-generator.js';
import { edsGenerator } from '../../src/xds/gen/eds/eds-generator.js';
import { generateFor, resourceNamed } from '../xds/gen/helpers/generate.js';
import { proxy } from '../xds/gen/helpers/mesh-builder.js';
import { withObject } from './bookinfo.js';

const mesh = DEFAULT_MESH_CONFIG;
const HOST = 'web.internal';

const serviceEntryYaml = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: web, namespace: shop}
spec:
  hosts: [${HOST}]
  location: MESH_INTERNAL
  resolution: STATIC
  ports:
  - {number: 80, name: http, protocol: HTTP, targetPort: 8080}
  - {number: 9090, name: metrics, protocol: HTTP}
  workloadSelector:
    labels: {app: web}
`;

function podYaml(name: string, ip: string, opts: { namespace?: string; app?: string; ready?: boolean; phase?: string } = {}): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${opts.namespace ?? 'shop'}
  labels: {app: ${opts.app ?? 'web'}, version: v1, security.istio.io/tlsMode: istio, topology.kubernetes.io/region: eu}
spec:
  serviceAccountName: web-sa
  containers:
  - name: web
    image: web
    ports: [{name: metrics, containerPort: 19090}]
status:
  phase: ${opts.phase ?? 'Running'}
  podIP: ${ip}
  conditions: [{type: Ready, status: "${opts.ready === false ? 'False' : 'True'}"}]
`;
}

const workloadEntryYaml = `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: web-vm, namespace: shop}
spec:
  address: 10.3.0.1
  ports: {http: 7000}
  labels: {app: web, version: vm}
  serviceAccount: vm-sa
`;

function objectsOf(...yamls: string[]): ConfigObject[] {
  return yamls.reduce<ConfigObject[]>((objects, yaml, i) => withObject(objects, yaml, `doc-${i}.yaml`), []);
}

function endpointsOf(snapshot: MeshSnapshot): string[] {
  return (snapshot.endpoints.get(HOST) ?? []).map((e) => `${e.address}:${e.port}/${e.servicePortName}`).sort();
}

describe('ServiceEntry workloadSelector', () => {
  const objects = objectsOf(
    serviceEntryYaml,
    podYaml('web-1', '10.2.0.1'),
    podYaml('web-unready', '10.2.0.2', { ready: false }),
    podYaml('web-done', '10.2.0.3', { phase: 'Succeeded' }),
    podYaml('web-elsewhere', '10.2.0.4', { namespace: 'other' }),
    podYaml('not-web', '10.2.0.5', { app: 'api' }),
    workloadEntryYaml,
  );
  const snapshot = buildSnapshot({ mesh, objects });

  it('selects ready Pods and WorkloadEntries of its namespace, each port by name, targetPort or number', () => {
    expect(endpointsOf(snapshot)).toEqual(['10.2.0.1:19090/metrics', '10.2.0.1:8080/http', '10.3.0.1:7000/http', '10.3.0.1:9090/metrics']);
  });

  it("carries the workload's labels, identity and mTLS mode", () => {
    const fromPod = snapshot.endpoints.get(HOST)?.find((e) => e.address === '10.2.0.1');
    expect(fromPod).toMatchObject({ serviceAccount: 'web-sa', tlsMode: 'istio', locality: { region: 'eu' }, workloadName: 'pod/shop/web-1', ready: true });
    expect(snapshot.endpoints.get(HOST)?.find((e) => e.address === '10.3.0.1')).toMatchObject({ serviceAccount: 'vm-sa', labels: { app: 'web', version: 'vm' } });
  });

  it('follows Pod changes incrementally, as a rebuild from scratch would', () => {
    const added = withObject(objects, podYaml('web-2', '10.2.0.9'), 'new-pod.yaml');
    const changes = { added: new Set(['Pod/shop/web-2']), updated: new Set<string>(), removed: new Set<string>(), kinds: new Set(['Pod']) };
    const incremental = buildSnapshot({ mesh, objects: added }, snapshot, changes);
    expect(endpointsOf(incremental)).toContain('10.2.0.9:8080/http');
    expect(endpointsOf(incremental)).toEqual(endpointsOf(buildSnapshot({ mesh, objects: added })));
  });

  it('serves the selected workloads over EDS, in the subset their labels fall in', () => {
    const rule = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: shop}
spec:
  host: ${HOST}
  subsets: [{name: vm, labels: {version: vm}}]
`;
    const withRule = buildSnapshot({ mesh, objects: withObject(objects, rule, 'rule.yaml') });
    const addresses = (name: string): string[] =>
      (resourceNamed(generateFor(edsGenerator, withRule, proxy('proxyless', 'shop')), name)['endpoints'] as { lbEndpoints?: { endpoint: { address: { socketAddress: { address: string; portValue: number } } } }[] }[])
        .flatMap((l) => l.lbEndpoints ?? [])
        .map((e) => `${e.endpoint.address.socketAddress.address}:${e.endpoint.address.socketAddress.portValue}`)
        .sort();
    // A STATIC entry is an EDS cluster for Envoy too (Istio's convertResolution), so the sidecar reads the same assignment.
    expect(resourceNamed(generateFor(cdsGenerator, withRule, proxy('sidecar', 'shop')), `outbound|80||${HOST}`)['type']).toBe('EDS');
    expect(addresses(`outbound|80||${HOST}`)).toEqual(['10.2.0.1:8080', '10.3.0.1:7000']);
    expect(addresses(`outbound|80|vm|${HOST}`)).toEqual(['10.3.0.1:7000']);
  });
});

/**
 * A selected Pod's locality comes as for a Kubernetes endpoint (Istio's
 * getPodLocality, used by the Pod workload instances the ServiceEntry
 * controller selects): its topology.istio.io/locality or istio-locality
 * label (dots for slashes), else its Node's topology labels, which win over
 * the Pod's own topology labels once the Node is known.
 */
describe('ServiceEntry workloadSelector locality', () => {
  const nodeYaml = (region: string, zone: string): string => `apiVersion: v1
kind: Node
metadata:
  name: node-a
  labels: {topology.kubernetes.io/region: ${region}, topology.kubernetes.io/zone: ${zone}, topology.istio.io/subzone: rack-1}
`;
  const scheduledPod = (name: string, ip: string, extraLabels: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
  labels: {app: web, topology.kubernetes.io/region: pod-region${extraLabels}}
spec: {nodeName: node-a}
status:
  phase: Running
  podIP: ${ip}
  conditions: [{type: Ready, status: "True"}]
`;
  const objects = objectsOf(
    serviceEntryYaml,
    nodeYaml('us-east1', 'us-east1-b'),
    scheduledPod('on-node', '10.2.1.1', ''),
    scheduledPod('labelled', '10.2.1.2', ', istio-locality: eu-west1.eu-west1-a.rack-9'),
  );
  const snapshot = buildSnapshot({ mesh, objects });
  const localityAt = (s: MeshSnapshot, ip: string): unknown => s.endpoints.get(HOST)?.find((e) => e.address === ip)?.locality;

  it("gives a selected Pod its Node's region, zone and subzone", () => {
    expect(localityAt(snapshot, '10.2.1.1')).toEqual({ region: 'us-east1', zone: 'us-east1-b', subzone: 'rack-1' });
  });

  it("lets the Pod's istio-locality label win over its Node", () => {
    expect(localityAt(snapshot, '10.2.1.2')).toEqual({ region: 'eu-west1', zone: 'eu-west1-a', subzone: 'rack-9' });
  });

  it('follows a Node relabel incrementally, as a rebuild from scratch would', () => {
    const relabelled = withObject(objects, nodeYaml('us-west1', 'us-west1-a'), 'doc-1.yaml');
    const changes = { added: new Set<string>(), updated: new Set(['Node//node-a']), removed: new Set<string>(), kinds: new Set(['Node']) };
    const next = buildSnapshot({ mesh, objects: relabelled }, snapshot, changes);
    expect(localityAt(next, '10.2.1.1')).toEqual({ region: 'us-west1', zone: 'us-west1-a', subzone: 'rack-1' });
    expect(localityAt(next, '10.2.1.2')).toEqual({ region: 'eu-west1', zone: 'eu-west1-a', subzone: 'rack-9' });
    expect(next.endpoints.get(HOST)).toEqual(buildSnapshot({ mesh, objects: relabelled }).endpoints.get(HOST));
  });
});
