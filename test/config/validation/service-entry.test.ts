import { describe, expect, it } from 'vitest';
import { problems } from './validate.js';

const se = (spec: string): string => `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
const port = 'ports: [{number: 443, name: https, protocol: HTTPS}]';

describe('ServiceEntry validation', () => {
  it('accepts a DNS entry without endpoints and a STATIC one with them', () => {
    expect(problems(se(`hosts: [api.example.com]\n${port}\nresolution: DNS`))).toEqual([]);
    expect(problems(se(`hosts: [db.internal]\n${port}\nresolution: STATIC\nendpoints: [{address: 10.0.0.1}, {address: "::1"}]`))).toEqual([]);
  });

  it('needs hosts and ports', () => {
    expect(problems(se('resolution: NONE'))).toEqual([
      'spec.hosts: service entry must have at least one host',
      'spec.ports: service entry must have at least one port',
    ]);
  });

  it('checks port number, name and protocol', () => {
    expect(problems(se('hosts: [a.com]\nports: [{number: 0, name: Bad_Name, protocol: SMTP}]'))).toEqual([
      'spec.ports[0].number: port number 0 must be in the range 1..65535',
      'spec.ports[0].name: invalid port name: Bad_Name',
      'spec.ports[0].protocol: unsupported protocol: SMTP',
    ]);
  });

  it('accepts only the known resolutions and locations', () => {
    expect(problems(se(`hosts: [a.com]\n${port}\nresolution: MAGIC\nlocation: OUTSIDE`))).toEqual([
      'spec.resolution: unsupported resolution type MAGIC; use NONE, STATIC, DNS or DNS_ROUND_ROBIN',
      'spec.location: unsupported location OUTSIDE; use MESH_EXTERNAL or MESH_INTERNAL',
    ]);
  });

  it('accepts a port name in upper case, as Istio\'s DNS-1123 label check does', () => {
    expect(problems(se('hosts: [a.com]\nports: [{number: 443, name: HTTPS, protocol: HTTPS}]'))).toEqual([]);
  });

  it('accepts STATIC resolution without endpoints (Istio #19036), and wants IP addresses in the endpoints it has', () => {
    expect(problems(se(`hosts: [a.com]\n${port}\nresolution: STATIC`))).toEqual([]);
    expect(problems(se(`hosts: [a.com]\n${port}\nresolution: STATIC\nworkloadSelector: {labels: {app: db}}\nendpoints: [{address: 10.0.0.1}]`))).toEqual([
      'spec: only one of WorkloadSelector or Endpoints is allowed in Service Entry',
    ]);
    expect(problems(se(`hosts: [a.com]\n${port}\nresolution: STATIC\nendpoints: [{address: db.example.com}, {ports: {https: 8443}}]`))).toEqual([
      'spec.endpoints[0].address: endpoint address "db.example.com" is not a valid IP address',
      'spec.endpoints[1].address: address is required',
    ]);
  });

  it('rejects endpoint ports that the entry does not define', () => {
    expect(problems(se(`hosts: [a.com]\n${port}\nresolution: DNS\nendpoints: [{address: a.com, ports: {http: 80}}]`))).toEqual([
      'spec.endpoints[0].ports.http: endpoint port http is not defined by the service entry',
    ]);
  });

  it('rejects several hosts on plain TCP unless resolution is NONE', () => {
    const tcp = 'ports: [{number: 5432, name: tcp-pg, protocol: TCP}]';
    expect(problems(se(`hosts: [a.com, b.com]\n${tcp}\nresolution: DNS`))).toEqual(['spec.ports: multiple hosts provided with non-HTTP, non-TLS ports']);
    expect(problems(se(`hosts: [a.com, b.com]\n${tcp}\nresolution: NONE`))).toEqual([]);
  });
});
