/**
 * Sidecar egress scoping (Istio's Sidecar resource, "egress.hosts"): a
 * sidecar proxy in a namespace whose Sidecar limits egress to "./*" gets
 * clusters, listeners and routes for its own namespace's services only;
 * "istio-system/*" adds that namespace; a Sidecar with a workloadSelector
 * applies to the workloads it selects; the root namespace's Sidecar is the
 * mesh-wide default; gateways and proxyless clients are not scoped.
 */
import { describe, expect, it } from 'vitest';
import { cdsGenerator } from '../../../../src/xds/gen/cds/cds-generator.js';
import { ldsGenerator } from '../../../../src/xds/gen/lds/lds-generator.js';
import { rdsGenerator } from '../../../../src/xds/gen/rds/rds-generator.js';
import { generateFor, namesOf } from '../helpers/generate.js';
import { fqdn, kubeService, port, proxy, sidecarResource, snapshot } from '../helpers/mesh-builder.js';

const http = port(9080, 'HTTP', 'http');
const shopWeb = kubeService('web', 'shop', [http]);
const shopDb = kubeService('db', 'shop', [port(5432, 'TCP', 'tcp-pg')]);
const bookReviews = kubeService('reviews', 'bookstore', [http]);
const monitoring = kubeService('prometheus', 'istio-system', [port(9090, 'HTTP', 'http')]);
const services = [shopWeb, shopDb, bookReviews, monitoring];
const outboundHosts = (names: string[]): string[] => [...new Set(names.filter((n) => n.startsWith('outbound|')).map((n) => n.split('|')[3]!))].sort();

describe('Sidecar egress scope', () => {
  const ownNamespace = sidecarResource('default', 'shop', { egress: [{ hosts: ['./*', 'istio-system/*'] }] });

  it('limits a sidecar in the namespace to its own namespace and istio-system; other namespaces see everything', () => {
    const snap = snapshot({ services, sidecars: [ownNamespace] });
    expect(outboundHosts(namesOf(generateFor(cdsGenerator, snap, proxy('sidecar', 'shop'))))).toEqual([fqdn('db', 'shop'), fqdn('prometheus', 'istio-system'), fqdn('web', 'shop')]);
    expect(outboundHosts(namesOf(generateFor(cdsGenerator, snap, proxy('sidecar', 'other'))))).toHaveLength(4);
  });

  it('scopes listeners and routes too: no 0.0.0.0_9080 virtual host for bookstore reviews in shop', () => {
    const snap = snapshot({ services, sidecars: [ownNamespace] });
    const routes = generateFor(rdsGenerator, snap, proxy('sidecar', 'shop'), ['9080']);
    const vhosts = (routes[0]!.resource['virtualHosts'] as { name: string }[]).map((v) => v.name);
    expect(vhosts).toContain(`${fqdn('web', 'shop')}:9080`);
    expect(vhosts.some((v) => v.startsWith(fqdn('reviews', 'bookstore')))).toBe(false);
    const listeners = namesOf(generateFor(ldsGenerator, snap, proxy('sidecar', 'shop')));
    expect(listeners).toEqual(expect.arrayContaining(['0.0.0.0_9080', '0.0.0.0_9090']));
    // Asked for by name, a cluster outside the scope does not exist for this proxy.
    expect(namesOf(generateFor(cdsGenerator, snap, proxy('sidecar', 'shop'), [`outbound|9080||${fqdn('reviews', 'bookstore')}`]))).toEqual([]);
  });

  it('applies a workload-selecting Sidecar to the workloads it selects, and the root namespace Sidecar everywhere else', () => {
    const onlyWeb = sidecarResource('web-only', 'shop', { workloadSelector: { matchLabels: { app: 'web' } }, egress: [{ hosts: ['bookstore/*'] }] });
    const meshDefault = sidecarResource('default', 'istio-system', { egress: [{ hosts: ['./*'] }] });
    const snap = snapshot({ services, sidecars: [onlyWeb, meshDefault] });
    expect(outboundHosts(namesOf(generateFor(cdsGenerator, snap, proxy('sidecar', 'shop', { app: 'web' }))))).toEqual([fqdn('reviews', 'bookstore')]);
    // "./*" in the root namespace's Sidecar means the root namespace itself.
    expect(outboundHosts(namesOf(generateFor(cdsGenerator, snap, proxy('sidecar', 'shop', { app: 'db' }))))).toEqual([fqdn('prometheus', 'istio-system')]);
  });

  it('matches DNS names exactly or by wildcard suffix, and "~" selects nothing', () => {
    const exact = sidecarResource('default', 'shop', { egress: [{ hosts: [`*/${fqdn('reviews', 'bookstore')}`, '~/*'] }] });
    const snap = snapshot({ services, sidecars: [exact] });
    expect(outboundHosts(namesOf(generateFor(cdsGenerator, snap, proxy('sidecar', 'shop'))))).toEqual([fqdn('reviews', 'bookstore')]);
    const wildcard = sidecarResource('default', 'shop', { egress: [{ hosts: ['*/*.istio-system.svc.cluster.local'] }] });
    expect(outboundHosts(namesOf(generateFor(cdsGenerator, snapshot({ services, sidecars: [wildcard] }), proxy('sidecar', 'shop'))))).toEqual([fqdn('prometheus', 'istio-system')]);
  });

  it('does not scope gateways or proxyless clients, and keys sidecars by the Sidecar that applies', () => {
    const snap = snapshot({ services, sidecars: [ownNamespace] });
    expect(outboundHosts(namesOf(generateFor(cdsGenerator, snap, proxy('router', 'shop'))))).toHaveLength(4);
    expect(outboundHosts(namesOf(generateFor(cdsGenerator, snap, proxy('proxyless', 'shop'))))).toHaveLength(4);
    expect(cdsGenerator.keyOf(proxy('sidecar', 'shop'), snap)).toMatchObject({ egressScope: 'shop/default' });
    expect(cdsGenerator.keyOf(proxy('sidecar', 'other'), snap)).toMatchObject({ egressScope: '' });
  });
});
