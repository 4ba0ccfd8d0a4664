/** The part of a client's labels its routes depend on: those some match.sourceLabels names. */
import { describe, expect, it } from 'vitest';
import { labelsOfSourceLabelsKey, sourceLabelsKey } from '../../../../src/xds/gen/rds/source-labels-key.js';
import { virtualService } from '../helpers/mesh-builder.js';
import { REVIEWS, routeMesh } from './helpers/route-mesh.js';

describe('source labels key', () => {
  const delegate = virtualService('d', 'default', { hosts: [], http: [{ match: [{ sourceLabels: { track: 'beta' } }], route: [{ destination: { host: REVIEWS } }] }] });
  const snap = routeMesh([{ match: [{ sourceLabels: { app: 'productpage' } }], route: [{ destination: { host: REVIEWS } }] }], { virtualServices: [delegate] });

  it('keeps only the labels some sourceLabels match names, delegates included, sorted', () => {
    expect(sourceLabelsKey(snap, { version: 'v1', track: 'beta', app: 'productpage', 'pod-template-hash': 'abc' })).toEqual(['app=productpage', 'track=beta']);
  });

  it('is empty without such labels, so those clients share routes', () => {
    expect(sourceLabelsKey(snap, { version: 'v1' })).toEqual([]);
    expect(sourceLabelsKey(routeMesh([{ route: [{ destination: { host: REVIEWS } }] }]), { app: 'productpage' })).toEqual([]);
  });

  it('gives the labels back from the key', () => {
    expect(labelsOfSourceLabelsKey(['app=productpage', 'expr=a=b'])).toEqual({ app: 'productpage', expr: 'a=b' });
  });
});
