import { describe, expect, it } from 'vitest';
import { resolveHostname } from '../../src/model/hostname.js';

describe('resolveHostname (Istio short-name rule)', () => {
  it('qualifies a short name with the object namespace and domain suffix', () => {
    expect(resolveHostname('reviews', 'prod', 'cluster.local')).toBe('reviews.prod.svc.cluster.local');
  });

  it('takes a name with a dot as written', () => {
    expect(resolveHostname('reviews.other', 'prod', 'cluster.local')).toBe('reviews.other');
    expect(resolveHostname('api.example.com', 'prod', 'cluster.local')).toBe('api.example.com');
  });

  it('keeps wildcards and IP addresses as written', () => {
    expect(resolveHostname('*', 'prod', 'cluster.local')).toBe('*');
    expect(resolveHostname('*.example.com', 'prod', 'cluster.local')).toBe('*.example.com');
    expect(resolveHostname('::1', 'prod', 'cluster.local')).toBe('::1');
  });
});
