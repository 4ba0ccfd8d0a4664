import { describe, expect, it } from 'vitest';
import { chooseConfigSource } from '../../src/cli/config-source-choice.js';

describe('chooseConfigSource', () => {
  it('takes the one source given', () => {
    expect(chooseConfigSource({ configDir: 'examples/bookinfo' }, {})).toEqual({ configDir: 'examples/bookinfo' });
    expect(chooseConfigSource({ kubeconfig: '/k' }, { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toEqual({ kubernetes: { kubeconfig: '/k' } });
    expect(chooseConfigSource({ inCluster: true }, {})).toEqual({ kubernetes: { inCluster: true } });
  });

  it('defaults to in-cluster only inside a pod', () => {
    expect(chooseConfigSource({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toEqual({ kubernetes: { inCluster: true } });
    expect(() => chooseConfigSource({}, {})).toThrow(/no config source/);
  });

  it('refuses two sources', () => {
    expect(() => chooseConfigSource({ configDir: 'd', kubeconfig: '/k' }, {})).toThrow('give one config source, not --config-dir and --kubeconfig');
    expect(() => chooseConfigSource({ kubeconfig: '/k', inCluster: true }, {})).toThrow(/--kubeconfig and --in-cluster/);
  });
});
