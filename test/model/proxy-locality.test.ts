/** Node.locality → ProxyNode.locality, which locality load balancing reads. */
import { describe, expect, it } from 'vitest';
import { parseProxyNode } from '../../src/model/proxy.js';

const id = 'sidecar~10.1.0.1~pod-1.default~default.svc.cluster.local';

describe('proxy locality', () => {
  it('is read from the node, subZone as subzone', () => {
    expect(parseProxyNode({ id, locality: { region: 'us-east1', zone: 'us-east1-b', subZone: 'rack-4' } }, 'cluster.local').locality).toEqual({
      region: 'us-east1',
      zone: 'us-east1-b',
      subzone: 'rack-4',
    });
    expect(parseProxyNode({ id, locality: { region: 'eu' } }, 'cluster.local').locality).toEqual({ region: 'eu' });
  });

  it('is absent when the node names none or an empty one', () => {
    expect(parseProxyNode({ id }, 'cluster.local').locality).toBeUndefined();
    expect(parseProxyNode({ id, locality: { region: '', zone: '' } }, 'cluster.local').locality).toBeUndefined();
  });
});
