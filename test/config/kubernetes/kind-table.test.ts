import { describe, expect, it } from 'vitest';
import { KINDS } from '../../../src/config/kinds.js';
import { apiVersionOf, collectionPath, KUBE_KINDS, SECRET_KUBE_KIND } from '../../../src/config/kubernetes/kind-table.js';

describe('the Kubernetes kind table', () => {
  it('reads every kind the pipeline accepts except Endpoints, at an apiVersion the pipeline accepts', () => {
    // Secrets are listed by `tsiod analyze` only (SECRET_KUBE_KIND); serve's RBAC does not grant them.
    expect(KUBE_KINDS.map((k) => k.kind).sort()).toEqual([...KINDS.keys()].filter((kind) => kind !== 'Endpoints' && kind !== 'Secret').sort());
    for (const kind of [...KUBE_KINDS, SECRET_KUBE_KIND]) {
      const info = KINDS.get(kind.kind);
      expect(info?.apiVersions, kind.kind).toContain(apiVersionOf(kind));
      expect(kind.clusterScoped, kind.kind).toBe(info?.clusterScoped);
    }
  });

  it('keeps only Pod status, and treats only Istio kinds as CRDs that may be missing', () => {
    expect(KUBE_KINDS.filter((k) => k.keepStatus).map((k) => k.kind)).toEqual(['Pod']);
    expect(KUBE_KINDS.filter((k) => k.fromCrd).every((k) => k.group.endsWith('.istio.io'))).toBe(true);
    expect(KUBE_KINDS.filter((k) => !k.fromCrd).map((k) => k.kind).sort()).toEqual(['EndpointSlice', 'Namespace', 'Pod', 'Service']);
  });

  it('builds the all-namespaces collection paths', () => {
    const path = (kind: string): string => collectionPath(KUBE_KINDS.find((k) => k.kind === kind)!);
    expect(path('Service')).toBe('/api/v1/services');
    expect(path('Namespace')).toBe('/api/v1/namespaces');
    expect(path('EndpointSlice')).toBe('/apis/discovery.k8s.io/v1/endpointslices');
    expect(path('AuthorizationPolicy')).toBe('/apis/security.istio.io/v1/authorizationpolicies');
  });
});
