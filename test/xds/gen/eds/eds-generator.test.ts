import { describe, expect, it } from 'vitest';
import { edsGenerator } from '../../../../src/xds/gen/eds/eds-generator.js';
import { generateFor, namesOf, resourceNamed } from '../helpers/generate.js';
import { destinationRule, endpoint, fqdn, kubeService, port, proxy, snapshot } from '../helpers/mesh-builder.js';

const http = port(9080, 'HTTP', 'http');
const metrics = port(9090, 'HTTP', 'metrics');
const reviews = kubeService('reviews', 'default', [http, metrics]);
const snap = snapshot({
  services: [reviews],
  endpoints: {
    [fqdn('reviews')]: [
      endpoint('10.0.0.1', http, { labels: { version: 'v1' }, locality: { region: 'r1', zone: 'z1' } }),
      endpoint('10.0.0.2', http, { labels: { version: 'v2' }, locality: { region: 'r1', zone: 'z2' } }),
      endpoint('10.0.0.3', http, { labels: { version: 'v2' }, ready: false }),
      endpoint('10.0.0.1', metrics, { port: 19090, labels: { version: 'v1' } }),
    ],
  },
  destinationRules: [
    destinationRule('reviews', 'default', { host: fqdn('reviews'), subsets: [{ name: 'v2', labels: { version: 'v2' } }] }),
  ],
});

type Assignment = { clusterName: string; endpoints: { locality?: unknown; lbEndpoints: { endpoint: { address: { socketAddress: { address: string; portValue: number } } } }[] }[] };

function addresses(resource: Record<string, unknown>): string[] {
  return (resource as unknown as Assignment).endpoints.flatMap((l) =>
    l.lbEndpoints.map((e) => `${e.endpoint.address.socketAddress.address}:${e.endpoint.address.socketAddress.portValue}`),
  );
}

describe('EDS', () => {
  const all = generateFor(edsGenerator, snap, proxy('sidecar'));

  it('sends one assignment per EDS cluster, named after it', () => {
    expect(namesOf(all)).toEqual([
      `outbound|9080||${fqdn('reviews')}`,
      `outbound|9080|v2|${fqdn('reviews')}`,
      `outbound|9090||${fqdn('reviews')}`,
      `outbound|9090|v2|${fqdn('reviews')}`,
    ]);
    expect(resourceNamed(all, `outbound|9080||${fqdn('reviews')}`)['clusterName']).toBe(`outbound|9080||${fqdn('reviews')}`);
  });

  it('omits not-ready endpoints', () => {
    expect(addresses(resourceNamed(all, `outbound|9080||${fqdn('reviews')}`))).toEqual(['10.0.0.1:9080', '10.0.0.2:9080']);
  });

  it("keeps each service port's endpoints apart, with their target ports", () => {
    expect(addresses(resourceNamed(all, `outbound|9090||${fqdn('reviews')}`))).toEqual(['10.0.0.1:19090']);
  });

  it("narrows subset clusters to the subset's labels", () => {
    expect(addresses(resourceNamed(all, `outbound|9080|v2|${fqdn('reviews')}`))).toEqual(['10.0.0.2:9080']);
    expect(addresses(resourceNamed(all, `outbound|9090|v2|${fqdn('reviews')}`))).toEqual([]);
  });

  it('groups endpoints by locality', () => {
    const localities = (resourceNamed(all, `outbound|9080||${fqdn('reviews')}`) as unknown as Assignment).endpoints.map((l) => l.locality);
    expect(localities).toEqual([{ region: 'r1', zone: 'z1' }, { region: 'r1', zone: 'z2' }]);
  });

  it('with names, returns only known clusters', () => {
    const named = generateFor(edsGenerator, snap, proxy('proxyless'), [`outbound|9080|v2|${fqdn('reviews')}`, `outbound|9080|v9|${fqdn('reviews')}`, 'outbound|80||nosuch']);
    expect(namesOf(named)).toEqual([`outbound|9080|v2|${fqdn('reviews')}`]);
  });

  it('keys on the DestinationRule view of the client namespace, shared by namespaces that see only public rules', () => {
    const key = (type: Parameters<typeof proxy>[0], namespace: string, s = snap): unknown => edsGenerator.keyOf(proxy(type, namespace), s);
    expect(key('sidecar', 'a')).toEqual(key('proxyless', 'a'));
    expect(key('sidecar', 'a')).toEqual(key('sidecar', 'b'));
    // 'default' holds the public rule of its own service, found the same way from anywhere: still the shared view.
    expect(key('sidecar', 'default')).toEqual(key('sidecar', 'a'));
    const privateRule = snapshot({ destinationRules: [destinationRule('private', 'default', { host: fqdn('reviews'), exportTo: ['.'] })] });
    expect(key('sidecar', 'default', privateRule)).not.toEqual(key('sidecar', 'a', privateRule));
    const exportedToB = snapshot({ destinationRules: [destinationRule('only-b', 'other', { host: fqdn('reviews'), exportTo: ['b'] })] });
    expect(key('sidecar', 'b', exportedToB)).not.toEqual(key('sidecar', 'a', exportedToB));
  });

  it('names every cluster of a host, subsets included, as affected by its endpoints', () => {
    const affected = edsGenerator.affectedByEndpoints?.(snap, { destinationRuleView: '', localityClient: '' }, new Set([fqdn('reviews'), fqdn('nosuch')]));
    expect([...(affected ?? [])].sort()).toEqual(namesOf(all).sort());
  });
});
