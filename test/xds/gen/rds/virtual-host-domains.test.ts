import { describe, expect, it } from 'vitest';
import { virtualHostDomains } from '../../../../src/xds/gen/rds/virtual-host-domains.js';
import { kubeService, port, serviceEntry } from '../helpers/mesh-builder.js';

const reviews = kubeService('reviews', 'default', [port(9080)], { clusterIP: '10.96.0.12' });

describe('virtualHostDomains', () => {
  it('adds the short forms for a client in the same namespace, and the VIP', () => {
    expect(virtualHostDomains(reviews, 9080, 'default.svc.cluster.local')).toEqual([
      'reviews.default.svc.cluster.local',
      'reviews.default.svc.cluster.local:9080',
      'reviews',
      'reviews:9080',
      'reviews.default.svc',
      'reviews.default.svc:9080',
      'reviews.default',
      'reviews.default:9080',
      '10.96.0.12',
      '10.96.0.12:9080',
    ]);
  });

  it('never offers the bare name to another namespace', () => {
    const domains = virtualHostDomains(reviews, 9080, 'other.svc.cluster.local');
    expect(domains).not.toContain('reviews');
    expect(domains).toEqual(expect.arrayContaining(['reviews.default', 'reviews.default.svc:9080']));
  });

  it('does not shorten hosts outside the cluster domain', () => {
    expect(virtualHostDomains(serviceEntry('api.example.com', 'default', 'DNS', [port(80)]), 80, 'default.svc.cluster.local')).toEqual([
      'api.example.com',
      'api.example.com:80',
    ]);
  });
});
