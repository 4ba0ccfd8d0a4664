import { describe, expect, it } from 'vitest';
import { problems } from './validate.js';

const gw = (spec: string, name = 'my-gateway'): string =>
  `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: ${name}, namespace: some-config-namespace}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
/** One server on port 80 with the given hosts and extra fields. */
const http = (hosts: string, extra = ''): string => `servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ${hosts}${extra ? `\n    ${extra}` : ''}`;
const https = (tls: string): string => `servers:\n  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: [a.example.com]\n    tls: ${tls}`;

describe('Gateway validation', () => {
  it("accepts the example from Istio's Gateway reference", () => {
    // https://istio.io/latest/docs/reference/config/networking/gateway/
    const spec = `selector:
  app: my-gateway-controller
servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [uk.bookinfo.com, eu.bookinfo.com]
    tls: {httpsRedirect: true}
  - port: {number: 443, name: https-443, protocol: HTTPS}
    hosts: [uk.bookinfo.com, eu.bookinfo.com]
    tls: {mode: SIMPLE, serverCertificate: /etc/certs/servercert.pem, privateKey: /etc/certs/privatekey.pem}
  - port: {number: 9443, name: https-9443, protocol: HTTPS}
    hosts: ["bookinfo-namespace/*.bookinfo.com"]
    tls: {mode: SIMPLE, credentialName: bookinfo-secret}
  - port: {number: 9080, name: http-wildcard, protocol: HTTP}
    hosts: ["*"]
  - port: {number: 2379, name: mongo, protocol: MONGO}
    hosts: ["*"]
  - port: {number: 15443, name: tls, protocol: TLS}
    hosts: ["*/*.global"]
    tls: {mode: AUTO_PASSTHROUGH}
  - port: {number: 8443, name: mtls, protocol: HTTPS}
    hosts: ["./mtls.example.com", 1.2.3.4]
    tls: {mode: MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem, caCertificates: /ca.pem}`;
    expect(problems(gw(spec))).toEqual([]);
  });

  it('needs a DNS-label name (no dots)', () => {
    expect(problems(gw(http('[a.com]'), 'my.gateway'))).toEqual(['metadata.name: invalid gateway name: "my.gateway"']);
  });

  it('needs at least one server, and hosts on each', () => {
    expect(problems(gw('selector: {istio: ingressgateway}'))).toEqual(['spec.servers: gateway must have at least one server']);
    expect(problems(gw('servers: []'))).toEqual(['spec.servers: gateway must have at least one server']);
    expect(problems(gw(http('[]')))).toEqual(['spec.servers[0].hosts: server config must contain at least one host']);
  });

  it.each([
    ['foo', ['short names (non FQDN) are not allowed']],
    ['foo.*.bar.com', ['domain name "*.bar.com" invalid (label "*" invalid)', 'partial wildcard "foo.*.bar.com" not allowed']],
    ['*bar.com', ['partial wildcard "*bar.com" not allowed']],
    ['ns1/foo.*.bar.com', ['domain name "*.bar.com" invalid (label "*" invalid)', 'partial wildcard "foo.*.bar.com" not allowed']],
    ['~/foo.bar.com', ['invalid namespace value "~" in gateway']],
    ['Bad_NS/foo.bar.com', ['invalid namespace value "Bad_NS" in gateway']],
    ['/foo.bar.com', ['config namespace and dnsName in host entry cannot be empty']],
    ['ns1/', ['config namespace and dnsName in host entry cannot be empty']],
    ['foo.123', ['domain name "123" invalid (top level domain "123" cannot be all-numeric)']],
  ])('rejects the host %s', (host, expected) => {
    expect(problems(gw(http(`["${host}"]`)))).toEqual(expected.map((m) => `spec.servers[0].hosts[0]: ${m}`));
  });

  it.each(['*', 'foo.bar.com', '*.bar.com', 'ns1/foo.bar.com', '*/foo.bar.com', './foo.bar.com', 'ns1/*', '1.1.1.1', 'istio.io.'])('accepts the host %s', (host) => {
    expect(problems(gw(http(`["${host}"]`)))).toEqual([]);
  });

  it('needs a port with a known protocol, a number in range and a name', () => {
    expect(problems(gw('servers: [{hosts: [a.com]}]'))).toEqual(['spec.servers[0].port: port is required']);
    expect(problems(gw('servers: [{hosts: [a.com], port: {number: 66000, protocol: SMTP, targetPort: 8080}}]'))).toEqual([
      'spec.servers[0].port.protocol: invalid protocol "SMTP", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP',
      'spec.servers[0].port.number: port number 66000 must be in the range 1..65535',
      'spec.servers[0].port.targetPort: targetPort has no impact on Gateways',
      'spec.servers[0].port.name: port name must be set',
    ]);
    expect(problems(gw('servers: [{hosts: [a.com], port: {name: http, protocol: HTTP}}]'))).toEqual([
      'spec.servers[0].port.number: port number 0 must be in the range 1..65535',
    ]);
  });

  it('needs port names unique across servers, but lets servers share a port number', () => {
    const spec = `servers:
  - {port: {number: 443, name: https, protocol: HTTPS}, hosts: [a.com], tls: {mode: SIMPLE, credentialName: a}}
  - {port: {number: 443, name: https, protocol: HTTPS}, hosts: [b.com], tls: {mode: SIMPLE, credentialName: b}}
  - {port: {number: 443, name: https-c, protocol: HTTPS}, hosts: [c.com], tls: {mode: SIMPLE, credentialName: c}}`;
    expect(problems(gw(spec))).toEqual(['spec.servers[1].port.name: port names in servers must be unique: duplicate name https']);
  });

  it('checks bind: an IP, or a unix socket with port number 0', () => {
    const bound = (bind: string, number: number): string =>
      `servers: [{hosts: [a.com], port: {number: ${number}, name: http, protocol: HTTP}, bind: "${bind}"}]`;
    expect(problems(gw(bound('127.0.0.1', 80)))).toEqual([]);
    expect(problems(gw(bound('unix://@foobar', 0)))).toEqual([]);
    expect(problems(gw(bound('foo.bar', 80)))).toEqual(['spec.servers[0].bind: foo.bar is not a valid IP']);
    expect(problems(gw(bound('unix://@foobar', 80)))).toEqual(['spec.servers[0].port.number: port number must be 0 for unix domain socket']);
    expect(problems(gw(bound('unix://relative/path', 0)))).toEqual(['spec.servers[0].bind: relative/path is not an absolute path to a file']);
  });

  it('needs TLS settings on HTTPS and TLS ports, and none (but a redirect) on plain ports', () => {
    expect(problems(gw('servers: [{hosts: [a.com], port: {number: 443, name: https, protocol: HTTPS}}]'))).toEqual([
      'spec.servers[0].tls: server must have TLS settings for HTTPS/TLS protocols',
    ]);
    expect(problems(gw(http('[a.com]', 'tls: {mode: SIMPLE, credentialName: cert}')))).toEqual([
      'spec.servers[0].tls: server cannot have TLS settings for plain text HTTP ports',
    ]);
    expect(problems(gw(http('[a.com]', 'tls: {httpsRedirect: true, serverCertificate: /c.pem}')))).toEqual([
      'spec.servers[0].tls: server cannot have TLS settings for plain text HTTP ports',
    ]);
    expect(problems(gw('servers: [{hosts: [a.com], port: {number: 3306, name: mysql, protocol: MYSQL}, tls: {mode: PASSTHROUGH}}]'))).toEqual([
      'spec.servers[0].tls: server cannot have TLS settings for non HTTPS/TLS ports',
    ]);
  });

  it('needs certificates for SIMPLE and MUTUAL unless a credentialName provides them', () => {
    expect(problems(gw(https('{mode: SIMPLE}')))).toEqual([
      'spec.servers[0].tls.serverCertificate: SIMPLE TLS requires a server certificate',
      'spec.servers[0].tls.privateKey: SIMPLE TLS requires a private key',
    ]);
    expect(problems(gw(https('{mode: MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem}')))).toEqual([
      'spec.servers[0].tls.caCertificates: MUTUAL TLS requires a client CA bundle',
    ]);
    expect(problems(gw(https('{mode: OPTIONAL_MUTUAL, tlsCertificates: [{serverCertificate: /c.pem}], caCertificates: /ca.pem}')))).toEqual([
      'spec.servers[0].tls.tlsCertificates[0].privateKey: MUTUAL TLS requires a private key',
    ]);
    expect(problems(gw(https('{mode: MUTUAL, credentialName: cert}')))).toEqual([]);
  });

  it('forbids certificate sources with ISTIO_MUTUAL, and more than one source otherwise', () => {
    expect(problems(gw(https('{mode: ISTIO_MUTUAL, serverCertificate: /c.pem, credentialName: cert}')))).toEqual([
      'spec.servers[0].tls.serverCertificate: ISTIO_MUTUAL TLS cannot have associated server certificate',
      'spec.servers[0].tls.credentialName: ISTIO_MUTUAL TLS cannot have associated credentialName',
    ]);
    expect(problems(gw(https('{mode: SIMPLE, credentialName: cert, serverCertificate: /c.pem, privateKey: /k.pem}')))).toEqual([
      'spec.servers[0].tls: only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified',
    ]);
  });

  it('rejects a CRL with SIMPLE TLS', () => {
    expect(problems(gw(https('{mode: SIMPLE, serverCertificate: /c.pem, privateKey: /k.pem, caCrl: /crl.pem}')))).toEqual([
      'spec.servers[0].tls.caCrl: CRL is not supported with SIMPLE TLS',
    ]);
  });

  it('accepts only the TLS modes and versions Istio knows', () => {
    expect(problems(gw(https('{mode: STRICT, minProtocolVersion: TLSV1_4}')))).toEqual([
      'spec.servers[0].tls.mode: unsupported TLS mode STRICT; use PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, ISTIO_MUTUAL or OPTIONAL_MUTUAL',
      'spec.servers[0].tls.minProtocolVersion: unsupported TLS version TLSV1_4; use TLS_AUTO, TLSV1_0, TLSV1_1, TLSV1_2 or TLSV1_3',
    ]);
  });

  it('leaves what Istio only warns about alone: httpsRedirect on an HTTPS server, unknown cipher suites', () => {
    expect(problems(gw(https('{mode: SIMPLE, credentialName: cert, httpsRedirect: true, cipherSuites: [NOT-A-CIPHER]}')))).toEqual([]);
  });
});
