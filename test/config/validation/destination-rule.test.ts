import { describe, expect, it } from 'vitest';
import { problems } from './validate.js';

const dr = (spec: string): string => `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;

describe('DestinationRule validation', () => {
  it('accepts subsets with distinct names and valid labels', () => {
    expect(problems(dr('host: reviews\nsubsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}'))).toEqual([]);
  });

  it('needs a host', () => {
    expect(problems(dr('subsets: []'))).toEqual(['spec.host: destination rule must have a host']);
  });

  it('needs a non-empty subset name', () => {
    expect(problems(dr('host: r\nsubsets: [{name: "", labels: {version: v1}}]'))).toEqual(['spec.subsets[0].name: subset name cannot be empty']);
  });

  it('rejects duplicate subset names', () => {
    expect(problems(dr('host: r\nsubsets: [{name: v1, labels: {version: v1}}, {name: v1, labels: {version: v2}}]'))).toEqual([
      'spec.subsets[1].name: duplicate subset names: v1',
    ]);
  });

  it('rejects subset labels that are not valid Kubernetes labels', () => {
    expect(problems(dr('host: r\nsubsets: [{name: v1, labels: {"bad key!": v1}}]'))).toEqual([
      'spec.subsets[0].labels.bad key!: invalid label key "bad key!"',
    ]);
    expect(problems(dr('host: r\nsubsets: [{name: v1, labels: {version: 1}}]'))).toEqual(['spec.subsets[0].labels.version: must be a string']);
  });
});
