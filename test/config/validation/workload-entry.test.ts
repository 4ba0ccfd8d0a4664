import { describe, expect, it } from 'vitest';
import { problems } from './validate.js';

const we = (spec: string): string => `apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: vm-1}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;

describe('WorkloadEntry validation', () => {
  it('accepts an IP, an FQDN or an absolute unix socket with ports, labels and weight', () => {
    expect(problems(we('address: 10.0.0.7\nports: {grpc: 9080}\nlabels: {app: reviews}\nweight: 3\nlocality: us-east/a'))).toEqual([]);
    expect(problems(we('address: vm-1.example.com'))).toEqual([]);
    expect(problems(we('address: unix:///var/run/app.sock'))).toEqual([]);
  });

  it('needs an address unless a network is given, and one that is an IP, an FQDN or an absolute unix path without ports', () => {
    expect(problems(we('labels: {app: reviews}'))).toEqual(['spec.address: address is required']);
    expect(problems(we('network: vm-network\nlabels: {app: reviews}'))).toEqual([]);
    expect(problems(we('address: "not an address"'))).toEqual(['spec.address: endpoint address "not an address" is not a valid FQDN or an IP address']);
    expect(problems(we('address: unix://relative.sock'))).toEqual(['spec.address: relative.sock is not an absolute path to a file']);
    expect(problems(we('address: unix:///var/run/app.sock\nports: {http: 80}'))).toEqual(['spec.ports: unix endpoint unix:///var/run/app.sock must not include ports']);
  });

  it('checks port names and numbers, labels and weight', () => {
    expect(problems(we('address: 10.0.0.7\nports: {grpc: 70000, http: 0, Bad_Name: 80}\nweight: -1'))).toEqual([
      'spec.ports.grpc: port number 70000 must be in the range 1..65535',
      'spec.ports.http: port number 0 must be in the range 1..65535',
      'spec.ports.Bad_Name: invalid port name: Bad_Name',
      'spec.weight: must not be negative',
    ]);
  });
});
