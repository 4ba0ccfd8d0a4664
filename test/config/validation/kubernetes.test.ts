import { describe, expect, it } from 'vitest';
import { problems } from './validate.js';

const service = (ports: string): string => `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: ${ports}\n`;
const slice = (body: string): string => `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s-1, labels: {kubernetes.io/service-name: s}}\n${body}\n`;

describe('Service validation', () => {
  it('accepts one unnamed port', () => {
    expect(problems(service('[{port: 80}]'))).toEqual([]);
  });

  it('needs ports within 1..65535', () => {
    expect(problems(service('[{port: 0}]'))).toEqual(['spec.ports[0].port: port 0 must be between 1 and 65535']);
  });

  it('needs unique port names when there are several ports', () => {
    expect(problems(service('[{name: http, port: 80}, {name: http, port: 81}, {port: 82}]'))).toEqual([
      'spec.ports[1].name: duplicate port name http',
      'spec.ports[2].name: name is required when a Service has more than one port',
    ]);
  });
});

describe('EndpointSlice validation', () => {
  it('accepts a slice with addresses and ports', () => {
    expect(problems(slice('addressType: IPv4\nendpoints: [{addresses: [10.0.0.1], conditions: {ready: false}}]\nports: [{name: http, port: 8080}]'))).toEqual([]);
  });

  it('needs a known addressType', () => {
    expect(problems(slice('endpoints: []'))).toEqual(['addressType: addressType is required (IPv4, IPv6 or FQDN)']);
    expect(problems(slice('addressType: IPv5'))).toEqual(['addressType: unsupported addressType IPv5; use IPv4, IPv6 or FQDN']);
  });

  it('needs addresses on every endpoint, of the slice address type', () => {
    expect(problems(slice('addressType: IPv4\nendpoints: [{addresses: []}, {addresses: [not-an-ip]}]'))).toEqual([
      'endpoints[0].addresses: an endpoint needs at least one address',
      'endpoints[1].addresses[0]: "not-an-ip" is not a valid IPv4 address',
    ]);
  });
});
