/**
 * The model pieces the sidecar generators read: the interception mode from
 * node metadata (Istio's GetInterceptionMode), a Sidecar's egress listeners
 * with their services (IstioEgressListenerWrapper) and the outbound
 * traffic policy in force (SidecarScope.OutboundTrafficPolicy).
 */
import { describe, expect, it } from 'vitest';
import { parseProxyNode } from '../../../../src/model/proxy.js';
import { outboundPolicyOf, sidecarEgressListeners } from '../../../../src/model/sidecar-scope.js';
import { kubeService, port, sidecarResource } from '../helpers/mesh-builder.js';

const id = 'sidecar~10.1.0.1~pod-1.default~default.svc.cluster.local';

describe('ISTIO_META_INTERCEPTION_MODE', () => {
  it('is REDIRECT unless the node says TPROXY or NONE', () => {
    const mode = (value?: string): unknown => parseProxyNode({ id, metadata: value === undefined ? {} : { INTERCEPTION_MODE: value } }, 'cluster.local').interceptionMode;
    expect(mode()).toBe('REDIRECT');
    expect(mode('REDIRECT')).toBe('REDIRECT');
    expect(mode('TPROXY')).toBe('TPROXY');
    expect(mode('NONE')).toBe('NONE');
    expect(mode('tproxy')).toBe('REDIRECT');
  });
});

describe('sidecarEgressListeners', () => {
  const a = kubeService('a', 'default', [port(80)]);
  const b = kubeService('b', 'other', [port(80)]);
  const services = [a, b];

  it('no Sidecar, or one without egress, is one catch-all over every service', () => {
    expect(sidecarEgressListeners(undefined, services)).toEqual([{ services }]);
    expect(sidecarEgressListeners(sidecarResource('s', 'default', { ingress: [] }), services)).toEqual([{ services }]);
  });

  it('keeps each listener with its port and the services its hosts select, in order', () => {
    const sidecar = sidecarResource('s', 'default', {
      egress: [{ port: { number: 8080, protocol: 'HTTP' }, hosts: ['./*'], captureMode: 'NONE' }, { hosts: ['other/*'] }],
    });
    expect(sidecarEgressListeners(sidecar, services)).toEqual([
      { port: { number: 8080, protocol: 'HTTP' }, bind: undefined, captureMode: 'NONE', services: [a] },
      { port: undefined, bind: undefined, captureMode: undefined, services: [b] },
    ]);
  });
});

describe('outboundPolicyOf', () => {
  it("is the mesh's mode unless the Sidecar sets a policy", () => {
    expect(outboundPolicyOf(undefined, 'REGISTRY_ONLY')).toEqual({ mode: 'REGISTRY_ONLY' });
    expect(outboundPolicyOf(sidecarResource('s', 'default', {}), 'ALLOW_ANY')).toEqual({ mode: 'ALLOW_ANY' });
    expect(outboundPolicyOf(sidecarResource('s', 'default', { outboundTrafficPolicy: { mode: 'ALLOW_ANY' } }), 'REGISTRY_ONLY')).toEqual({ mode: 'ALLOW_ANY' });
  });

  it('keeps an egress proxy only under ALLOW_ANY', () => {
    const egressProxy = { host: 'egress.example' };
    expect(outboundPolicyOf(sidecarResource('s', 'default', { outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy } }), 'REGISTRY_ONLY')).toEqual({ mode: 'ALLOW_ANY', egressProxy });
    expect(outboundPolicyOf(sidecarResource('s', 'default', { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY', egressProxy } }), 'ALLOW_ANY')).toEqual({ mode: 'REGISTRY_ONLY' });
  });
});
