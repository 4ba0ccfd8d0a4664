/**
 * Node labels reach the snapshot's endpoints as their locality, and a Node
 * change alone (a cluster-scoped "Node//name" key) recomputes the endpoints
 * of the namespaces whose Pods run on it: the incremental rebuild must give
 * what a rebuild from scratch gives, and leave other namespaces' lists
 * untouched by reference.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/config/change-set.js';
import type { ConfigObject } from '../../src/config/config-object.js';
import { buildSnapshot } from '../../src/model/build-snapshot.js';
import { serializeSnapshot } from '../../src/model/serialize-snapshot.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';
import { withObject } from './bookinfo.js';

const mesh = DEFAULT_MESH_CONFIG;
const WEB = 'web.shop.svc.cluster.local';
const DB = 'db.data.svc.cluster.local';

const workload = (namespace: string, name: string, ip: string, nodeName: string): string => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec: {selector: {app: ${name}}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-abc, namespace: ${namespace}, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [${ip}], zone: slice-zone, targetRef: {kind: Pod, name: ${name}-1, namespace: ${namespace}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: ${name}-1, namespace: ${namespace}, labels: {app: ${name}}}
spec: {nodeName: ${nodeName}}
status: {podIP: ${ip}}
`;
const node = (name: string, region: string, zone: string, subzone: string): string =>
  `apiVersion: v1\nkind: Node\nmetadata: {name: ${name}, labels: {topology.kubernetes.io/region: ${region}, topology.kubernetes.io/zone: ${zone}, topology.istio.io/subzone: ${subzone}}}\n`;

function change(kind: 'added' | 'updated' | 'removed', ...keys: string[]): ChangeSet {
  const sets = { added: new Set<string>(), updated: new Set<string>(), removed: new Set<string>() };
  for (const key of keys) sets[kind].add(key);
  return { ...sets, kinds: new Set(keys.map((k) => k.split('/')[0]!)) };
}

function base(): ConfigObject[] {
  let objects = withObject([], workload('shop', 'web', '10.1.0.1', 'node-a'), 'web.yaml');
  objects = withObject(objects, workload('data', 'db', '10.1.0.2', 'node-b'), 'db.yaml');
  objects = withObject(objects, node('node-a', 'us-east1', 'us-east1-b', 'rack-1'), 'node-a.yaml');
  return withObject(objects, node('node-b', 'eu-west1', 'eu-west1-a', 'rack-9'), 'node-b.yaml');
}

describe('Node labels as endpoint locality', () => {
  const objects = base();
  const snapshot = buildSnapshot({ mesh, objects });

  it("gives each endpoint its Pod's Node's region, zone and subzone", () => {
    expect(snapshot.endpoints.get(WEB)!.map((e) => e.locality)).toEqual([{ region: 'us-east1', zone: 'us-east1-b', subzone: 'rack-1' }]);
    expect(snapshot.endpoints.get(DB)!.map((e) => e.locality)).toEqual([{ region: 'eu-west1', zone: 'eu-west1-a', subzone: 'rack-9' }]);
  });

  it("moves a Node's endpoints when only its labels change, as a rebuild from scratch would, leaving other Nodes' endpoints alone", () => {
    const relabelled = withObject(objects, node('node-a', 'us-west1', 'us-west1-a', 'rack-2'), 'node-a.yaml');
    const next = buildSnapshot({ mesh, objects: relabelled }, snapshot, change('updated', 'Node//node-a'));
    expect(next.endpoints.get(WEB)!.map((e) => e.locality)).toEqual([{ region: 'us-west1', zone: 'us-west1-a', subzone: 'rack-2' }]);
    expect(next.endpoints.get(DB)).toBe(snapshot.endpoints.get(DB));
    expect(next.services).toBe(snapshot.services);
    expect(serializeSnapshot(next, { contentOnly: true })).toEqual(serializeSnapshot(buildSnapshot({ mesh, objects: relabelled }), { contentOnly: true }));
  });

  it('falls back to the slice zone once the Node is gone, and reads it again when it comes back', () => {
    const withoutA = objects.filter((o) => !(o.kind === 'Node' && o.metadata.name === 'node-a'));
    const gone = buildSnapshot({ mesh, objects: withoutA }, snapshot, change('removed', 'Node//node-a'));
    expect(gone.endpoints.get(WEB)!.map((e) => e.locality)).toEqual([{ zone: 'slice-zone' }]);
    expect(gone.endpoints.get(DB)).toBe(snapshot.endpoints.get(DB));
    const back = buildSnapshot({ mesh, objects }, gone, change('added', 'Node//node-a'));
    expect(back.endpoints.get(WEB)).toEqual(snapshot.endpoints.get(WEB));
  });

  it('keeps the snapshot when a Node no Pod runs on changes', () => {
    const spare = withObject(objects, node('node-z', 'ap', 'ap-1', 'r'), 'node-z.yaml');
    const next = buildSnapshot({ mesh, objects: spare }, snapshot, change('added', 'Node//node-z'));
    expect(next.endpoints).toBe(snapshot.endpoints);
  });
});
