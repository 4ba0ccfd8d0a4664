/**
 * Trust domain aliases in policies (istio.io "Trust domain migration";
 * pilot/pkg/security/trustdomain/bundle.go): a principal of the mesh's
 * trust domain, an alias, or "cluster.local" is matched under each of
 * them; others are left alone.
 */
import { describe, expect, it } from 'vitest';
import { TrustDomainBundle } from '../../../../src/xds/gen/authz/trust-domain-bundle.js';

describe('TrustDomainBundle', () => {
  const bundle = new TrustDomainBundle('td1', ['td2']);

  it('puts a principal of the mesh, an alias or cluster.local under every trust domain', () => {
    expect(bundle.replaceAliases(['td2/ns/foo/sa/bar'])).toEqual(['td1/ns/foo/sa/bar', 'td2/ns/foo/sa/bar']);
    expect(bundle.replaceAliases(['cluster.local/ns/foo/sa/bar'])).toEqual(['td1/ns/foo/sa/bar', 'td2/ns/foo/sa/bar']);
  });

  it('leaves other trust domains, "*" trust domains and non-SPIFFE values as written', () => {
    expect(bundle.replaceAliases(['other/ns/foo/sa/bar', '*/ns/foo/sa/bar', 'ns/foo/sa/bar', '*'])).toEqual(['other/ns/foo/sa/bar', '*/ns/foo/sa/bar', 'ns/foo/sa/bar', '*']);
  });

  it('keeps a "*suffix" trust domain as written for the trust domains it covers', () => {
    expect(new TrustDomainBundle('new-td', ['old-td']).replaceAliases(['*-td/ns/foo/sa/bar'])).toEqual(['*-td/ns/foo/sa/bar']);
  });

  it('with no aliases, rewrites "cluster.local" to the mesh\'s own trust domain', () => {
    expect(new TrustDomainBundle('example.org').replaceAliases(['cluster.local/ns/foo/sa/bar'])).toEqual(['example.org/ns/foo/sa/bar']);
    expect(new TrustDomainBundle('cluster.local').replaceAliases(['cluster.local/ns/foo/sa/bar'])).toEqual(['cluster.local/ns/foo/sa/bar']);
  });

  it('expands a known trust domain to all of them (source.trustDomain values)', () => {
    expect(bundle.expandAliases(['td2', 'other'])).toEqual(['td1', 'td2', 'other']);
  });
});
