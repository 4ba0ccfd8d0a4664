/** Node documents in a config directory: a name and Kubernetes-valid labels are all tsiod needs (its topology labels). */
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load-config-text.js';
import { problems } from './validate.js';

describe('Node validation', () => {
  it('accepts a Node with only a name, or with topology labels, and ignores its spec and status', () => {
    expect(problems('apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\n')).toEqual([]);
    const labelled = 'apiVersion: v1\nkind: Node\nmetadata: {name: node-a, labels: {topology.kubernetes.io/zone: us-east1-b}}\nspec: {podCIDR: 10.244.0.0/24}\nstatus: {images: []}\n';
    expect(problems(labelled)).toEqual([]);
  });

  it('is cluster-scoped: a namespace written on it is not kept', () => {
    const [node] = loadConfigText('t.yaml', 'apiVersion: v1\nkind: Node\nmetadata: {name: node-a, namespace: shop}\n').objects;
    expect(node?.metadata.namespace).toBe('');
  });

  it('refuses a label value Kubernetes would refuse (a slash), naming the label', () => {
    // Kubernetes label values: at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends; hence Istio's dotted istio-locality.
    expect(problems('apiVersion: v1\nkind: Node\nmetadata: {name: node-a, labels: {topology.istio.io/subzone: a/b}}\n')).toEqual([
      'metadata.labels.topology.istio.io/subzone: invalid label value "a/b"',
    ]);
  });

  it('needs a name', () => {
    expect(problems('apiVersion: v1\nkind: Node\nmetadata: {labels: {a: b}}\n').length).toBe(1);
  });
});
