/**
 * A Pod's locality by Istio's getPodLocality (pilot/pkg/serviceregistry/kube/
 * controller/controller.go): the locality label first (dots for slashes),
 * then the Node's topology labels (GA before the deprecated beta ones), and
 * nothing for a known Node without them. tsiod's fallback when no Node is
 * known (slice zone, Pod topology labels) is checked last.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigObject } from '../../src/config/config-object.js';
import { loadConfigText } from '../../src/config/load-config-text.js';
import { NodeIndex, NO_NODES } from '../../src/model/node-index.js';
import { podLocality } from '../../src/model/pod-locality.js';

function nodes(...docs: string[]): NodeIndex {
  const loaded = loadConfigText('nodes.yaml', docs.join('---\n'));
  if (loaded.errors.length > 0) throw new Error(JSON.stringify(loaded.errors));
  return new NodeIndex(loaded.objects as ConfigObject[]);
}
const node = (name: string, labels: string): string => `apiVersion: v1\nkind: Node\nmetadata: {name: ${name}, labels: {${labels}}}\n`;
const GA = node('node-a', 'topology.kubernetes.io/region: us-east1, topology.kubernetes.io/zone: us-east1-b, topology.istio.io/subzone: rack-7');

describe('podLocality', () => {
  it("reads the Pod's Node: region, zone and subzone", () => {
    expect(podLocality({ podLabels: {}, nodeName: 'node-a', sliceZone: undefined }, nodes(GA))).toEqual({ region: 'us-east1', zone: 'us-east1-b', subzone: 'rack-7' });
  });

  it('lets the istio-locality label win over the Node, dots standing for slashes', () => {
    const input = { podLabels: { 'istio-locality': 'eu.west.a' }, nodeName: 'node-a', sliceZone: 'us-east1-b' };
    expect(podLocality(input, nodes(GA))).toEqual({ region: 'eu', zone: 'west', subzone: 'a' });
  });

  it('prefers topology.istio.io/locality over istio-locality, and keeps slashes as written', () => {
    const labels = { 'topology.istio.io/locality': 'ap/south', 'istio-locality': 'eu.west' };
    expect(podLocality({ podLabels: labels, nodeName: 'node-a', sliceZone: undefined }, nodes(GA))).toEqual({ region: 'ap', zone: 'south' });
  });

  it('falls back to the deprecated failure-domain.beta labels only where the GA label is absent', () => {
    const mixed = node('node-b', 'failure-domain.beta.kubernetes.io/region: old-region, failure-domain.beta.kubernetes.io/zone: old-zone, topology.kubernetes.io/zone: new-zone');
    expect(podLocality({ podLabels: {}, nodeName: 'node-b', sliceZone: undefined }, nodes(mixed))).toEqual({ region: 'old-region', zone: 'new-zone' });
  });

  it("gives no locality for a known Node without topology labels, ignoring the slice's zone and the Pod's labels, as Istio does", () => {
    const bare = node('node-c', 'kubernetes.io/hostname: node-c');
    const input = { podLabels: { 'topology.kubernetes.io/region': 'us-east1' }, nodeName: 'node-c', sliceZone: 'us-east1-b' };
    expect(podLocality(input, nodes(bare))).toBeUndefined();
  });

  it('without a known Node, falls back to the slice zone and the Pod topology labels (tsiod, for Node-less directories)', () => {
    const input = { podLabels: { 'topology.kubernetes.io/region': 'us-east1', 'topology.istio.io/subzone': 's1' }, nodeName: 'gone', sliceZone: 'us-east1-c' };
    expect(podLocality(input, nodes(GA))).toEqual({ region: 'us-east1', zone: 'us-east1-c', subzone: 's1' });
    expect(podLocality({ podLabels: {}, nodeName: undefined, sliceZone: undefined }, NO_NODES)).toBeUndefined();
  });

  it('ignores an empty locality label and reads the Node', () => {
    expect(podLocality({ podLabels: { 'istio-locality': '' }, nodeName: 'node-a', sliceZone: undefined }, nodes(GA))).toEqual({ region: 'us-east1', zone: 'us-east1-b', subzone: 'rack-7' });
  });
});
