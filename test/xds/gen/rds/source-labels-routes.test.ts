/**
 * match.sourceLabels through the real RDS generator: the route applies only
 * to clients carrying those labels (Istio's sourceLabels), so the labels it
 * names are part of the key, and clients that differ only in other labels
 * still share one key.
 */
import { describe, expect, it } from 'vitest';
import { rdsGenerator } from '../../../../src/xds/gen/rds/rds-generator.js';
import { generateFor, resourceNamed } from '../helpers/generate.js';
import { fqdn, kubeService, port, proxy, snapshot, virtualService } from '../helpers/mesh-builder.js';

const REVIEWS = fqdn('reviews');
const mesh = snapshot({
  services: [kubeService('reviews', 'default', [port(9080)]), kubeService('canary', 'default', [port(9080)])],
  virtualServices: [
    virtualService('reviews', 'default', {
      hosts: [REVIEWS],
      http: [
        { name: 'from-sleep', match: [{ sourceLabels: { app: 'sleep' } }], route: [{ destination: { host: fqdn('canary') } }] },
        { name: 'others', route: [{ destination: { host: REVIEWS } }] },
      ],
    }),
  ],
});

function routeNames(labels: Record<string, string>, kind: 'sidecar' | 'proxyless'): string[] {
  const names = kind === 'proxyless' ? ['reviews:9080'] : undefined;
  const config = resourceNamed(generateFor(rdsGenerator, mesh, proxy(kind, 'default', labels), names), kind === 'proxyless' ? 'reviews:9080' : '9080');
  const vhosts = config['virtualHosts'] as { name: string; routes?: { name?: string }[] }[];
  const reviews = vhosts.find((v) => v.name === `${REVIEWS}:9080`);
  return (reviews?.routes ?? []).map((r) => r.name ?? '');
}

describe('sourceLabels matches', () => {
  for (const kind of ['sidecar', 'proxyless'] as const) {
    it(`${kind}: applies the route only to clients with the labels`, () => {
      expect(routeNames({ app: 'sleep', version: 'v1' }, kind)[0]).toBe('from-sleep');
      expect(routeNames({ app: 'productpage' }, kind)).not.toContain('from-sleep');
    });
  }

  it('keys on the labels sourceLabels names, and only those', () => {
    const key = (labels: Record<string, string>) => rdsGenerator.keyOf(proxy('sidecar', 'default', labels), mesh);
    expect(key({ app: 'sleep', version: 'v1' })).toEqual(key({ app: 'sleep', version: 'v2' }));
    expect(key({ app: 'sleep' })).not.toEqual(key({ app: 'productpage' }));
  });
});
