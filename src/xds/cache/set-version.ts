/**
 * The SotW version_info of a set of resources: a digest that depends only on
 * which (name, content) pairs are in it, not on order or on this process. A
 * restarted server therefore computes the same version a proxy already
 * acknowledged, and can leave that proxy alone.
 *
 * Each resource carries two 32-bit words of its content hash (which covers the
 * name through the encoded message); summing them is order-independent and
 * costs one addition per resource per connection, where re-hashing would cost
 * the bytes of every resource.
 */
import type { EncodedResource } from './encoded-resource.js';

export function setVersion(resources: Iterable<EncodedResource>): string {
  let count = 0;
  let lo = 0;
  let hi = 0;
  for (const r of resources) {
    count++;
    lo = (lo + r.digest[0]) >>> 0;
    hi = (hi + r.digest[1]) >>> 0;
  }
  return formatSetVersion(count, lo, hi);
}

export function formatSetVersion(count: number, lo: number, hi: number): string {
  return `${count}-${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`;
}
