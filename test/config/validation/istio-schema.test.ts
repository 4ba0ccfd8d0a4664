/** The CRD-schema half of validation (@kubernetes-models/istio), and how its errors are named. */
import { describe, expect, it } from 'vitest';
import { fieldPath } from '../../../src/config/validation/istio-schema.js';
import { problems } from './validate.js';

describe('Istio CRD schema checks', () => {
  it('names fields as the semantic rules do: list elements in brackets, map keys after a dot, even numeric ones', () => {
    const document = { spec: { http: [{ route: [{}] }], portLevelMtls: { '80': { mode: 'x' } } } };
    expect(fieldPath('/spec/http/0/route/0/weight', document)).toBe('spec.http[0].route[0].weight');
    expect(fieldPath('/spec/portLevelMtls/80/mode', document)).toBe('spec.portLevelMtls.80.mode');
    expect(fieldPath('/spec/a~1b/c~0d', { spec: {} })).toBe('spec.a/b.c~d');
  });

  it('checks fields tsiod\'s own rules do not read, in every served version', () => {
    for (const version of ['v1', 'v1beta1', 'v1alpha3']) {
      expect(problems(`apiVersion: networking.istio.io/${version}\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy:\n    tunnel: {protocol: 5, targetHost: x, targetPort: 80}\n`)).toEqual([
        'spec.trafficPolicy.tunnel.protocol: must be a string',
      ]);
    }
  });

  it('reports a missing required field on the field itself, and gives way to Istio\'s wording where both speak', () => {
    expect(problems('apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy:\n    tunnel: {protocol: CONNECT}\n')).toEqual([
      'spec.trafficPolicy.tunnel.targetHost: is required',
      'spec.trafficPolicy.tunnel.targetPort: is required',
    ]);
    expect(problems('apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers:\n  - hosts: ["*"]\n    port: {number: 80, protocol: HTTP}\n')).toEqual([
      'spec.servers[0].port.name: port name must be set',
    ]);
  });
});
