import { describe, expect, it } from 'vitest';
import { parseSpiffeUri, spiffeUri } from '../../src/ca/spiffe.js';

describe('spiffeUri', () => {
  it("writes Istio's form spiffe://<td>/ns/<ns>/sa/<sa>", () => {
    expect(spiffeUri({ trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'bookinfo-productpage' })).toBe(
      'spiffe://cluster.local/ns/default/sa/bookinfo-productpage',
    );
  });

  it("replaces '@' in the trust domain with '.' as istio's sanitizeTrustDomain does", () => {
    expect(spiffeUri({ trustDomain: 'foo@bar.com', namespace: 'a', serviceAccount: 'b' })).toBe('spiffe://foo.bar.com/ns/a/sa/b');
  });

  it.each([
    ['empty namespace', { trustDomain: 'td', namespace: '', serviceAccount: 'sa' }],
    ['empty service account', { trustDomain: 'td', namespace: 'ns', serviceAccount: '' }],
    ['slash in namespace', { trustDomain: 'td', namespace: 'a/sa/b', serviceAccount: 'sa' }],
    ['empty trust domain', { trustDomain: '', namespace: 'ns', serviceAccount: 'sa' }],
  ])('refuses an identity with %s, which would not read back as itself', (_what, id) => {
    expect(() => spiffeUri(id)).toThrow(/invalid SPIFFE identity/);
  });
});

describe('parseSpiffeUri', () => {
  it('reads back what spiffeUri writes', () => {
    const id = { trustDomain: 'example.org', namespace: 'istio-system', serviceAccount: 'istiod' };
    expect(parseSpiffeUri(spiffeUri(id))).toEqual(id);
  });

  it.each([
    'spiffe://td/ns/a/sa',
    'spiffe://td/ns/a/sa/b/c',
    'spiffe://td/namespace/a/sa/b',
    'spiffe://td/ns/a/serviceaccount/b',
    'http://td/ns/a/sa/b',
    'spiffe://td/ns//sa/b',
    'td/ns/a/sa/b',
    '',
  ])('is undefined for %j, which is not of the ns/<ns>/sa/<sa> form', (uri) => {
    expect(parseSpiffeUri(uri)).toBeUndefined();
  });
});
