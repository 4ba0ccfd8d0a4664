/**
 * EDS localities from Kubernetes Nodes: each LocalityLbEndpoints carries the
 * region, zone and subzone of the Node its Pods run on (Istio's
 * getPodLocality, then ConvertLocality into core.Locality{region, zone,
 * sub_zone}); a Pod's istio-locality label overrides its Node's.
 */
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../../src/config/load-config-text.js';
import { buildSnapshot } from '../../../../src/model/build-snapshot.js';
import { DEFAULT_MESH_CONFIG } from '../../../../src/model/types.js';
import { edsGenerator } from '../../../../src/xds/gen/eds/eds-generator.js';
import { generateFor, resourceNamed } from '../helpers/generate.js';
import { proxy } from '../helpers/mesh-builder.js';

const pod = (name: string, ip: string, nodeName: string, labels = ''): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, labels: {app: web${labels}}}
spec: {nodeName: ${nodeName}}
status: {podIP: ${ip}}
`;
const MESH = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-abc, namespace: default, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
  - {addresses: [10.0.0.1], zone: us-east1-b, targetRef: {kind: Pod, name: web-1}}
  - {addresses: [10.0.0.2], zone: us-east1-c, targetRef: {kind: Pod, name: web-2}}
  - {addresses: [10.0.0.3], zone: us-east1-b, targetRef: {kind: Pod, name: web-3}}
---
apiVersion: v1
kind: Node
metadata: {name: node-b, labels: {topology.kubernetes.io/region: us-east1, topology.kubernetes.io/zone: us-east1-b, topology.istio.io/subzone: rack-1}}
---
apiVersion: v1
kind: Node
metadata: {name: node-c, labels: {topology.kubernetes.io/region: us-east1, topology.kubernetes.io/zone: us-east1-c, topology.istio.io/subzone: rack-2}}
---
${pod('web-1', '10.0.0.1', 'node-b')}---
${pod('web-2', '10.0.0.2', 'node-c')}---
${pod('web-3', '10.0.0.3', 'node-b', ', istio-locality: eu-west1.eu-west1-a.rack-9')}`;

interface LocalityLbEndpoints {
  readonly locality?: Record<string, string>;
  readonly lbEndpoints: { endpoint: { address: { socketAddress: { address: string } } } }[];
}

describe('EDS locality from Node labels', () => {
  const loaded = loadConfigText('mesh.yaml', MESH);
  const snap = buildSnapshot({ mesh: DEFAULT_MESH_CONFIG, objects: loaded.objects });
  const resource = resourceNamed(generateFor(edsGenerator, snap, proxy('sidecar')), 'outbound|80||web.default.svc.cluster.local');
  const byAddress = new Map(
    (resource['endpoints'] as LocalityLbEndpoints[]).flatMap((group) => group.lbEndpoints.map((e) => [e.endpoint.address.socketAddress.address, group.locality] as const)),
  );

  it('loads the Node documents without errors', () => {
    expect(loaded.errors).toEqual([]);
  });

  it("puts each endpoint in its Node's region, zone and subZone", () => {
    expect(byAddress.get('10.0.0.1')).toEqual({ region: 'us-east1', zone: 'us-east1-b', subZone: 'rack-1' });
    expect(byAddress.get('10.0.0.2')).toEqual({ region: 'us-east1', zone: 'us-east1-c', subZone: 'rack-2' });
  });

  it("lets a Pod's istio-locality label override its Node", () => {
    expect(byAddress.get('10.0.0.3')).toEqual({ region: 'eu-west1', zone: 'eu-west1-a', subZone: 'rack-9' });
  });
});
