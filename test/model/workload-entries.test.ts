/**
 * Kubernetes Services select WorkloadEntries as Istio does: same namespace,
 * selector ⊆ labels, endpoint port by the Service's targetPort.
 */
import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../src/model/build-snapshot.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';
import { classifyChange } from '../../src/push/classify-change.js';
import { bookinfoObjects, withObject } from './bookinfo.js';

const mesh = DEFAULT_MESH_CONFIG;
const REVIEWS = 'reviews.default.svc.cluster.local';

const vm = (name: string, extra: string, namespace = 'default'): string =>
  `apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n${extra.replace(/^/gm, '  ')}\n`;

function reviewsEndpoints(yaml: string): Array<[string, number, string | undefined]> {
  const snapshot = buildSnapshot({ mesh, objects: withObject(bookinfoObjects(), yaml) });
  return snapshot.endpoints.get(REVIEWS)!.map((e) => [e.address, e.port, e.workloadName]);
}

describe('Kubernetes Services selecting WorkloadEntries', () => {
  it('adds an entry whose labels include the selector, on the port it maps to the Service port name', () => {
    const entry = vm('reviews-vm', 'address: 10.1.0.9\nports: {grpc: 7070}\nlabels: {app: reviews, version: v4}\nserviceAccount: vm-sa\nlocality: eu/west-1');
    const endpoints = reviewsEndpoints(entry);
    expect(endpoints).toContainEqual(['10.1.0.9', 7070, 'workloadentry/default/reviews-vm']);
    expect(endpoints).toHaveLength(4); // the three Bookinfo pods and the VM
    const snapshot = buildSnapshot({ mesh, objects: withObject(bookinfoObjects(), entry) });
    const fromVm = snapshot.endpoints.get(REVIEWS)!.find((e) => e.address === '10.1.0.9')!;
    expect(fromVm).toMatchObject({ servicePortName: 'grpc', servicePort: 9080, labels: { app: 'reviews', version: 'v4' }, serviceAccount: 'vm-sa', locality: { region: 'eu', zone: 'west-1' }, ready: true });
  });

  it('uses the Service port when the entry maps no port and the targetPort is numeric or absent', () => {
    expect(reviewsEndpoints(vm('reviews-vm', 'address: 10.1.0.9\nlabels: {app: reviews}'))).toContainEqual(['10.1.0.9', 9080, 'workloadentry/default/reviews-vm']);
  });

  it('ignores entries in another namespace or without every selector label', () => {
    expect(reviewsEndpoints(vm('elsewhere', 'address: 10.1.0.9\nlabels: {app: reviews}', 'other'))).toHaveLength(3);
    expect(reviewsEndpoints(vm('unlabelled', 'address: 10.1.0.9\nlabels: {version: v1}'))).toHaveLength(3);
  });

  it('skips the port when the Service names a targetPort the entry does not map', () => {
    const namedTarget = `apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: default}\nspec:\n  selector: {app: reviews}\n  ports: [{name: grpc, port: 9080, targetPort: grpc-server}]\n`;
    const objects = withObject(withObject(bookinfoObjects(), namedTarget, 'svc.yaml'), vm('reviews-vm', 'address: 10.1.0.9\nports: {grpc: 7070}\nlabels: {app: reviews}'));
    expect(buildSnapshot({ mesh, objects }).endpoints.get(REVIEWS)!.some((e) => e.address === '10.1.0.9')).toBe(false);
    const mapped = withObject(objects, vm('reviews-vm', 'address: 10.1.0.9\nports: {grpc-server: 7171}\nlabels: {app: reviews}'));
    expect(buildSnapshot({ mesh, objects: mapped }).endpoints.get(REVIEWS)!.find((e) => e.address === '10.1.0.9')?.port).toBe(7171);
  });

  it('makes adding an entry an endpoint-only push for the selected Service', () => {
    const before = buildSnapshot({ mesh, objects: bookinfoObjects() });
    const after = buildSnapshot({ mesh, objects: withObject(bookinfoObjects(), vm('reviews-vm', 'address: 10.1.0.9\nlabels: {app: reviews}')) }, before);
    const changes = { added: new Set(['WorkloadEntry/default/reviews-vm']), updated: new Set<string>(), removed: new Set<string>(), kinds: new Set(['WorkloadEntry']) };
    const request = classifyChange(changes, before, after);
    expect(request.full).toBe(false);
    expect([...request.endpointHosts]).toEqual([REVIEWS]);
  });
});
