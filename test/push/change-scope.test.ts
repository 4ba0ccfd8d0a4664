/**
 * Which changes are scoped pushes, from Istio's visibility rules: a
 * VirtualService or DestinationRule exported to "." (or to named
 * namespaces), or with a workload selector, is seen in those namespaces
 * only; Sidecars and policies apply to their own namespace unless they are
 * in the root namespace, except a namespace-wide PeerAuthentication, which
 * clients everywhere read for auto mTLS; Gateways and public routing config
 * reach everyone.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../src/config/change-set.js';
import { buildSnapshot } from '../../src/model/build-snapshot.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';
import { classifyChange } from '../../src/push/classify-change.js';
import { bookinfoObjects, withObject } from '../model/bookinfo.js';

const mesh = DEFAULT_MESH_CONFIG;
const changed = (key: string): ChangeSet => ({ added: new Set([key]), updated: new Set(), removed: new Set(), kinds: new Set([key.split('/')[0]!]) });

describe('classifyChange scopes', () => {
  const objects = bookinfoObjects();
  const previous = buildSnapshot({ mesh, objects });
  const classify = (yaml: string, key: string, base = objects) => {
    const before = base === objects ? previous : buildSnapshot({ mesh, objects: base });
    return classifyChange(changed(key), before, buildSnapshot({ mesh, objects: withObject(base, yaml) }, before));
  };
  const dr = (namespace: string, exportTo?: string) =>
    `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ratings, namespace: ${namespace}}\nspec:\n  host: ratings.default.svc.cluster.local\n${exportTo ? `  exportTo: ["${exportTo}"]\n` : ''}`;

  it('a DestinationRule exported to "." pushes its namespace only', () => {
    const request = classify(dr('shop', '.'), 'DestinationRule/shop/ratings');
    expect(request.full).toBe(true);
    expect([...request.namespaces!]).toEqual(['shop']);
  });

  it('a delegate VirtualService (no hosts) exported to "." pushes everyone: root VirtualServices elsewhere splice it in', () => {
    const delegate = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews-delegate, namespace: shop}\nspec:\n  exportTo: ["."]\n  http: [{route: [{destination: {host: reviews.default.svc.cluster.local}}]}]\n';
    const request = classify(delegate, 'VirtualService/shop/reviews-delegate');
    expect(request.full).toBe(true);
    expect(request.namespaces).toBeUndefined();
  });

  it('a DestinationRule exported to named namespaces pushes those', () => {
    expect([...classify(dr('shop', 'web'), 'DestinationRule/shop/ratings').namespaces!]).toEqual(['web']);
  });

  it('a public DestinationRule pushes everyone', () => {
    const request = classify(dr('shop'), 'DestinationRule/shop/ratings');
    expect(request.full).toBe(true);
    expect(request.namespaces).toBeUndefined();
  });

  it('narrowing a public DestinationRule to "." pushes everyone: the others lose it', () => {
    const withPublic = withObject(objects, dr('shop'));
    expect(classify(dr('shop', '.'), 'DestinationRule/shop/ratings', withPublic).namespaces).toBeUndefined();
  });

  it('a Sidecar or a policy outside the root namespace pushes its namespace; in the root namespace, everyone', () => {
    const sidecar = (ns: string) => `apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: ${ns}}\nspec:\n  egress: [{hosts: ["./*"]}]\n`;
    expect([...classify(sidecar('shop'), 'Sidecar/shop/default').namespaces!]).toEqual(['shop']);
    expect(classify(sidecar('istio-system'), 'Sidecar/istio-system/default').namespaces).toBeUndefined();
    const pa = `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: api, namespace: shop}\nspec:\n  selector: {matchLabels: {app: api}}\n  mtls: {mode: STRICT}\n`;
    expect([...classify(pa, 'PeerAuthentication/shop/api').namespaces!]).toEqual(['shop']);
  });

  it("a namespace-wide PeerAuthentication pushes everyone: clients anywhere read it for auto mTLS to the namespace's services", () => {
    // Istio's BestEffortInferServiceMTLSMode reads the destination namespace's policy, and each sidecar scope depends on the PeerAuthentications of the namespaces it imports services from.
    const pa = `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\nspec:\n  mtls: {mode: DISABLE}\n`;
    const request = classify(pa, 'PeerAuthentication/shop/default');
    expect(request.full).toBe(true);
    expect(request.namespaces).toBeUndefined();
  });

  it('a Gateway pushes everyone (gateway pods may run in any namespace)', () => {
    const gw = `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: shop}\nspec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]\n`;
    expect(classify(gw, 'Gateway/shop/gw').namespaces).toBeUndefined();
  });
});
