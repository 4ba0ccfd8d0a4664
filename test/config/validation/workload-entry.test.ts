import { describe, expect, it } from 'vitest';
import { problems } from './validate.js';

const we = (spec: string): string => `apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: vm-1}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;

describe('WorkloadEntry validation', () => {
  it('accepts an IP, an FQDN or an absolute unix socket with ports, labels and weight', () => {
    expect(problems(we('address: 10.0.0.7\nports: {grpc: 9080}\nlabels: {app: reviews}\nweight: 3\nlocality: us-east/a'))).toEqual([]);
    expect(problems(we('address: vm-1.example.com'))).toEqual([]);
    expect(problems(we('address: unix:///var/run/app.sock'))).toEqual([]);
  });

  it('needs an address, and one that is an IP, an FQDN or an absolute unix path', () => {
    expect(problems(we('labels: {app: reviews}'))).toEqual(['spec.address: address is required']);
    expect(problems(we('address: "not an address"'))).toEqual(['spec.address: address "not an address" is not a valid IP address or FQDN']);
    expect(problems(we('address: unix://relative.sock'))).toEqual(['spec.address: unix socket address "unix://relative.sock" must be an absolute path']);
  });

  it('checks port numbers, labels and weight', () => {
    expect(problems(we('address: 10.0.0.7\nports: {grpc: 70000, http: 0}\nweight: -1'))).toEqual([
      'spec.ports.grpc: port 70000 must be between 1 and 65535',
      'spec.ports.http: port 0 must be between 1 and 65535',
      'spec.weight: must not be negative',
    ]);
  });
});
