/**
 * Which AuthorizationPolicies and RequestAuthentications apply to a
 * workload, by Istio's rules (istio.io AuthorizationPolicy reference:
 * "a policy in the root namespace applies to all namespaces; a selector in
 * the root namespace selects workloads in every namespace"; targetRef
 * policies attach to Kubernetes Gateways only), and in Istio's order.
 */
import { describe, expect, it } from 'vitest';
import { authorizationPoliciesFor, attachesTo, GATEWAY_NAME_LABEL, requestAuthenticationsFor } from '../../src/model/security-policy-selection.js';
import type { IstioConfig, WorkloadPolicySpec } from '../../src/model/types.js';

function policy(namespace: string, name: string, spec: WorkloadPolicySpec = {}): IstioConfig<WorkloadPolicySpec> {
  return { meta: { kind: 'AuthorizationPolicy', apiVersion: 'security.istio.io/v1', namespace, name }, spec };
}

const ROOT = 'istio-system';
const names = (list: readonly IstioConfig<WorkloadPolicySpec>[]): string[] => list.map((p) => `${p.meta.namespace}/${p.meta.name}`);

const policies = [
  policy('foo', 'ns-wide'),
  policy('foo', 'for-httpbin', { selector: { matchLabels: { app: 'httpbin' } } }),
  policy('foo', 'for-other', { selector: { matchLabels: { app: 'other' } } }),
  policy('foo', 'empty-selector', { selector: { matchLabels: {} } }),
  policy(ROOT, 'mesh-wide'),
  policy(ROOT, 'root-selects-httpbin', { selector: { matchLabels: { app: 'httpbin' } } }),
  policy('bar', 'bar-selects-httpbin', { selector: { matchLabels: { app: 'httpbin' } } }),
  policy('foo', 'targets-gateway', { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ingress' }] }),
];

describe('authorizationPoliciesFor', () => {
  it('takes the root namespace first (mesh-wide and selecting), then the workload\'s namespace (namespace-wide and selecting)', () => {
    expect(names(authorizationPoliciesFor(policies, ROOT, { namespace: 'foo', labels: { app: 'httpbin', version: 'v1' } }))).toEqual([
      'istio-system/mesh-wide',
      'istio-system/root-selects-httpbin',
      'foo/ns-wide',
      'foo/for-httpbin',
      'foo/empty-selector',
    ]);
  });

  it('never takes another namespace\'s policies, nor targetRef policies for a workload that is no Kubernetes Gateway', () => {
    const selected = names(authorizationPoliciesFor(policies, ROOT, { namespace: 'foo', labels: { app: 'httpbin' } }));
    expect(selected).not.toContain('bar/bar-selects-httpbin');
    expect(selected).not.toContain('foo/targets-gateway');
  });

  it('takes root-namespace policies once for a workload in the root namespace', () => {
    expect(names(authorizationPoliciesFor(policies, ROOT, { namespace: ROOT, labels: {} }))).toEqual(['istio-system/mesh-wide']);
  });
});

describe('attachesTo a Kubernetes Gateway pod', () => {
  const pod = { namespace: 'foo', labels: { [GATEWAY_NAME_LABEL]: 'ingress', app: 'httpbin' } };

  it('a targetRef naming its Gateway in the policy\'s own namespace', () => {
    expect(attachesTo(policy('foo', 'p', { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ingress' }] }), pod)).toBe(true);
    expect(attachesTo(policy('foo', 'p', { targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ingress' } }), pod)).toBe(true);
  });

  it('not a targetRef to another Gateway, another kind, or from another namespace', () => {
    expect(attachesTo(policy('foo', 'p', { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'egress' }] }), pod)).toBe(false);
    expect(attachesTo(policy('foo', 'p', { targetRefs: [{ group: '', kind: 'Service', name: 'ingress' }] }), pod)).toBe(false);
    expect(attachesTo(policy('bar', 'p', { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ingress' }] }), pod)).toBe(false);
  });

  it('selector policies too (ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY defaults to true)', () => {
    expect(attachesTo(policy('foo', 'p', { selector: { matchLabels: { app: 'httpbin' } } }), pod)).toBe(true);
  });
});

describe('requestAuthenticationsFor', () => {
  it('takes the workload\'s namespace first, then the root namespace', () => {
    const list = [policy(ROOT, 'root'), policy('foo', 'local')];
    expect(names(requestAuthenticationsFor(list, ROOT, { namespace: 'foo', labels: {} }))).toEqual(['foo/local', 'istio-system/root']);
  });
});
