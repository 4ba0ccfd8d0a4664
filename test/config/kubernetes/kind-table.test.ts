import { describe, expect, it } from 'vitest';
import { KINDS, SENSITIVE_KINDS } from '../../../src/config/kinds.js';
import {
  ANALYZE_KUBE_KINDS, apiVersionOf, collectionPath, describeResource, KUBE_KINDS, kubeKinds, meshConfigMapKind, SECRET_KUBE_KIND, selectorQuery,
} from '../../../src/config/kubernetes/kind-table.js';

describe('the Kubernetes kind table', () => {
  it('reads every kind the pipeline accepts except Endpoints, at an apiVersion the pipeline accepts', () => {
    expect(KUBE_KINDS.map((k) => k.kind).sort()).toEqual([...KINDS.keys()].filter((kind) => kind !== 'Endpoints').sort());
    for (const kind of KUBE_KINDS) {
      const info = KINDS.get(kind.kind);
      expect(info?.apiVersions, kind.kind).toContain(apiVersionOf(kind));
      expect(kind.clusterScoped, kind.kind).toBe(info?.clusterScoped);
      expect(kind.sensitive, kind.kind).toBe(SENSITIVE_KINDS.has(kind.kind));
    }
  });

  it('keeps only Pod status, and treats only Istio kinds as CRDs that may be missing', () => {
    expect(KUBE_KINDS.filter((k) => k.keepStatus).map((k) => k.kind)).toEqual(['Pod']);
    expect(KUBE_KINDS.filter((k) => k.fromCrd).every((k) => k.group.endsWith('.istio.io'))).toBe(true);
    expect(KUBE_KINDS.filter((k) => !k.fromCrd).map((k) => k.kind).sort()).toEqual(['ConfigMap', 'EndpointSlice', 'Namespace', 'Node', 'Pod', 'Secret', 'Service']);
  });

  it('builds the all-namespaces collection paths', () => {
    const path = (kind: string): string => collectionPath(KUBE_KINDS.find((k) => k.kind === kind)!);
    expect(path('Service')).toBe('/api/v1/services');
    expect(path('Namespace')).toBe('/api/v1/namespaces');
    expect(path('Secret')).toBe('/api/v1/secrets');
    expect(path('EndpointSlice')).toBe('/apis/discovery.k8s.io/v1/endpointslices');
    expect(path('AuthorizationPolicy')).toBe('/apis/security.istio.io/v1/authorizationpolicies');
  });

  it('watches only the istio ConfigMap, in the system namespace', () => {
    const configMap = KUBE_KINDS.find((k) => k.kind === 'ConfigMap')!;
    expect(collectionPath(configMap)).toBe('/api/v1/namespaces/istio-system/configmaps');
    expect(selectorQuery(configMap)).toEqual({ fieldSelector: 'metadata.name=istio' });
    expect(describeResource(configMap)).toBe('v1 configmaps in istio-system (metadata.name=istio)');
    const elsewhere = kubeKinds('mesh-system').find((k) => k.kind === 'ConfigMap')!;
    expect(elsewhere).toEqual(meshConfigMapKind('mesh-system'));
    expect(collectionPath(elsewhere)).toBe('/api/v1/namespaces/mesh-system/configmaps');
    expect(selectorQuery(KUBE_KINDS.find((k) => k.kind === 'Service')!)).toEqual({});
  });

  it('reads Secrets as istiod does: no service-account tokens, no Helm releases, and marked sensitive', () => {
    expect(KUBE_KINDS).toContain(SECRET_KUBE_KIND);
    expect(selectorQuery(SECRET_KUBE_KIND)).toEqual({ fieldSelector: 'type!=kubernetes.io/service-account-token,type!=helm.sh/release.v1' });
    expect(SECRET_KUBE_KIND.sensitive).toBe(true);
    expect(KUBE_KINDS.filter((k) => k.sensitive).map((k) => k.kind)).toEqual(['Secret']);
  });

  it('leaves analyze its own kinds: Secrets are optional there and added by analyze, the mesh config is not read', () => {
    expect(ANALYZE_KUBE_KINDS.map((k) => k.kind).sort()).toEqual(KUBE_KINDS.map((k) => k.kind).filter((k) => k !== 'Secret' && k !== 'ConfigMap').sort());
  });
});
