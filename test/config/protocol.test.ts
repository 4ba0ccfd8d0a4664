import { describe, expect, it } from 'vitest';
import { parseProtocolName, servicePortProtocol } from '../../src/config/protocol.js';

describe('servicePortProtocol (Istio port naming)', () => {
  it.each([
    [{ name: 'http' }, 'HTTP'],
    [{ name: 'http-web' }, 'HTTP'],
    [{ name: 'HTTP2' }, 'HTTP2'],
    [{ name: 'grpc' }, 'GRPC'],
    [{ name: 'grpc-web' }, 'GRPC'],
    [{ name: 'grpc-web-ui' }, 'GRPC'],
    [{ name: 'https-admin' }, 'HTTPS'],
    [{ name: 'tls' }, 'TLS'],
    [{ name: 'mongo' }, 'MONGO'],
    [{ name: 'redis' }, 'REDIS'],
    [{ name: 'mysql' }, 'MYSQL'],
    [{ name: 'tcp-db' }, 'TCP'],
  ])('port %o is %s', (port, protocol) => {
    expect(servicePortProtocol(port)).toBe(protocol);
  });

  it('prefers appProtocol over the port name, including Kubernetes standard values', () => {
    expect(servicePortProtocol({ name: 'tcp', appProtocol: 'grpc' })).toBe('GRPC');
    expect(servicePortProtocol({ name: 'http', appProtocol: 'kubernetes.io/h2c' })).toBe('HTTP2');
    expect(servicePortProtocol({ name: 'x', appProtocol: 'kubernetes.io/ws' })).toBe('HTTP');
  });

  it('makes unnamed and unrecognised ports TCP (tsiod does not sniff protocols)', () => {
    expect(servicePortProtocol({})).toBe('TCP');
    expect(servicePortProtocol({ name: 'web' })).toBe('TCP');
  });

  it('takes UDP only from the Service protocol field, not from the name', () => {
    expect(servicePortProtocol({ name: 'dns', protocol: 'UDP' })).toBe('UDP');
    expect(servicePortProtocol({ name: 'udp-dns' })).toBe('TCP');
  });

  it('parses ServiceEntry protocol names case-insensitively', () => {
    expect(parseProtocolName('Https')).toBe('HTTPS');
    expect(parseProtocolName('SMTP')).toBeUndefined();
  });
});
