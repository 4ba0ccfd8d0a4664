/**
 * DestinationRule workloadSelector through the client's view (Istio's
 * SidecarScope.DestinationRule over PushContext.destinationRule): a rule
 * with a selector is private to its namespace and applies to the outbound
 * traffic of the workloads it selects; among a host's rules, a selecting one
 * wins, else the last without a selector; a namespace whose only rules for a
 * host select other workloads gives the rest no rule at all (Istio looks no
 * further than the first namespace that has rules for the host).
 */
import { describe, expect, it } from 'vitest';
import { snapshotFromData } from '../../src/model/serialize-snapshot.js';
import { DEFAULT_MESH_CONFIG, type DestinationRuleSpec, type IstioConfig, type MeshSnapshot } from '../../src/model/types.js';

const REVIEWS = 'reviews.bookstore.svc.cluster.local';

function config(namespace: string, name: string, spec: DestinationRuleSpec): IstioConfig<DestinationRuleSpec> {
  return { meta: { kind: 'DestinationRule', apiVersion: 'networking.istio.io/v1', name, namespace }, spec };
}

/** `rules` oldest first, as a snapshot orders them. */
function snapshotOf(rules: readonly IstioConfig<DestinationRuleSpec>[]): MeshSnapshot {
  return snapshotFromData({ mesh: DEFAULT_MESH_CONFIG, destinationRules: rules });
}

const publicRule = config('bookstore', 'reviews', { host: REVIEWS, subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
const forCart = config('shop', 'for-cart', { host: REVIEWS, workloadSelector: { matchLabels: { app: 'cart' } }, subsets: [{ name: 'canary' }] });
const shopCatchAll = config('shop', 'catch-all', { host: REVIEWS, subsets: [{ name: 'shop' }] });

const chosen = (s: MeshSnapshot, namespace: string, labels: Record<string, string>): readonly string[] | undefined =>
  s.indexes.destinationRuleFor(s.indexes.destinationRuleView(namespace, labels), REVIEWS, 'bookstore')?.from;

describe('DestinationRule view with workloadSelector', () => {
  it('names the selector rules that select the client, and nothing more for the others', () => {
    const s = snapshotOf([publicRule, forCart, shopCatchAll]);
    expect(s.indexes.destinationRuleView('shop', { app: 'cart', version: 'v3' })).toBe('shop|shop/for-cart');
    expect(s.indexes.destinationRuleView('shop', { app: 'web' })).toBe('shop');
    expect(s.indexes.destinationRuleView('elsewhere', { app: 'cart' })).toBe('');
  });

  it('gives a selected workload the selector rule, an unselected one the catch-all of its namespace', () => {
    const s = snapshotOf([publicRule, forCart, shopCatchAll]);
    expect(chosen(s, 'shop', { app: 'cart' })).toEqual(['shop/for-cart']);
    expect(chosen(s, 'shop', { app: 'web' })).toEqual(['shop/catch-all']);
    // The selector is never exported: the same labels elsewhere get the public rule.
    expect(chosen(s, 'elsewhere', { app: 'cart' })).toEqual(['bookstore/reviews']);
  });

  it('leaves an unselected workload without any rule when its namespace has only selector rules for the host', () => {
    const s = snapshotOf([publicRule, forCart]);
    expect(chosen(s, 'shop', { app: 'web' })).toBeUndefined();
    expect(chosen(s, 'shop', { app: 'cart' })).toEqual(['shop/for-cart']);
  });

  it('among rules without a selector that differ in exportTo, takes the last, as Istio overwrites its catch-all', () => {
    const older = config('shop', 'older', { host: REVIEWS, exportTo: ['*'], subsets: [{ name: 'a' }] });
    const newer = config('shop', 'newer', { host: REVIEWS, exportTo: ['.'], subsets: [{ name: 'b' }] });
    expect(chosen(snapshotOf([older, newer]), 'shop', {})).toEqual(['shop/newer']);
  });
});
