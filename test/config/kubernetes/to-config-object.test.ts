import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../../../src/config/config-error.js';
import { KUBE_KINDS, type KubeKind } from '../../../src/config/kubernetes/kind-table.js';
import { identityOf, toConfigObject } from '../../../src/config/kubernetes/to-config-object.js';
import { ConfigStore } from '../../../src/config/store.js';

const kind = (name: string): KubeKind => KUBE_KINDS.find((k) => k.kind === name)!;

/** A Service as a list item: no apiVersion/kind, server-set metadata. */
function serviceItem(resourceVersion: string, status: unknown = { loadBalancer: {} }): Record<string, unknown> {
  return {
    metadata: {
      name: 'reviews',
      namespace: 'bookinfo',
      uid: 'u-1',
      resourceVersion,
      creationTimestamp: '2026-01-02T03:04:05Z',
      labels: { app: 'reviews' },
      managedFields: [{ manager: 'kubectl', operation: 'Update' }],
    },
    spec: { ports: [{ port: 9080, name: 'http' }], selector: { app: 'reviews' } },
    status,
  };
}

describe('toConfigObject', () => {
  it('makes a list item read like a file document: apiVersion and kind set, managedFields, resourceVersion and status left out of the content', () => {
    const { object, errors } = toConfigObject(kind('Service'), serviceItem('41'));
    expect(errors).toBeUndefined();
    expect(object?.kind).toBe('Service');
    expect(object?.apiVersion).toBe('v1');
    expect(object?.source).toBe('k8s:Service/bookinfo/reviews');
    expect(object?.metadata).toEqual({
      name: 'reviews', namespace: 'bookinfo', labels: { app: 'reviews' }, annotations: {}, resourceVersion: '41', creationTimestamp: '2026-01-02T03:04:05Z',
    });
    expect(object?.content).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'reviews', namespace: 'bookinfo', uid: 'u-1', creationTimestamp: '2026-01-02T03:04:05Z', labels: { app: 'reviews' } },
      spec: { ports: [{ port: 9080, name: 'http' }], selector: { app: 'reviews' } },
    });
    expect(Object.isFrozen(object)).toBe(true);
    expect(Object.isFrozen((object?.content['spec'] as { ports: unknown[] }).ports[0])).toBe(true);
  });

  it('keeps a Pod\'s status: its IP and readiness make endpoints', () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'r-1', namespace: 'bookinfo', resourceVersion: '7' },
      spec: { containers: [{ name: 'app', image: 'app' }] },
      status: { podIP: '10.0.0.7', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    const { object } = toConfigObject(kind('Pod'), pod);
    expect(object?.content['status']).toEqual(pod.status);
  });

  it('gives a cluster-scoped Namespace the empty namespace', () => {
    const { object } = toConfigObject(kind('Namespace'), { metadata: { name: 'istio-system', resourceVersion: '3' }, status: { phase: 'Active' } });
    expect(object?.metadata.namespace).toBe('');
    expect(object?.content['status']).toBeUndefined();
    expect(identityOf(kind('Namespace'), { metadata: { name: 'istio-system' } })?.key).toBe('Namespace//istio-system');
  });

  it('rejects an invalid VirtualService with its kind, name and field path', () => {
    const vs = {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
      metadata: { name: 'bad', namespace: 'bookinfo', resourceVersion: '9' },
      spec: { hosts: ['*'], http: [{ route: [{ destination: { host: 'reviews' } }] }] },
    };
    const { object, errors } = toConfigObject(kind('VirtualService'), vs);
    expect(object).toBeUndefined();
    expect(errors?.map(formatConfigError)).toEqual([
      'k8s:VirtualService/bookinfo/bad VirtualService bookinfo/bad: spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway',
    ]);
  });

  it('reports an object without a name, or with non-string labels, instead of throwing', () => {
    expect(toConfigObject(kind('Service'), { metadata: {} }).errors?.[0]?.message).toMatch(/metadata.name/);
    expect(toConfigObject(kind('Service'), null).errors).toHaveLength(1);
    const badLabels = toConfigObject(kind('Service'), { metadata: { name: 'x', namespace: 'n', labels: { a: 1 } }, spec: {} });
    expect(badLabels.errors?.[0]?.path).toBe('metadata.labels');
    expect(toConfigObject(kind('Service'), { metadata: { name: 'x' }, spec: {} }).errors?.[0]?.path).toBe('metadata.namespace');
  });

  it('makes a status-only write (new resourceVersion, same spec) no change in the store', () => {
    const store = new ConfigStore();
    const first = toConfigObject(kind('Service'), serviceItem('41')).object!;
    store.replaceOrigin(first.source, [first]);
    const statusWrite = toConfigObject(kind('Service'), serviceItem('42', { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } })).object!;
    const changes = store.replaceOrigin(statusWrite.source, [statusWrite]);
    expect(changes.updated.size + changes.added.size + changes.removed.size).toBe(0);
    // The store still holds the newest version's metadata.
    expect(store.get('Service/bookinfo/reviews')?.metadata.resourceVersion).toBe('42');
  });
});
