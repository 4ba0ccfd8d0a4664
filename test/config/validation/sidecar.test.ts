import { describe, expect, it } from 'vitest';
import { problems } from './validate.js';

const sc = (spec: string): string =>
  `apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: ratings, namespace: prod-us1}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
const egress = (hosts: string): string => `egress: [{hosts: ${hosts}}]`;
const ingress = (fields: string): string => `ingress:\n  - port: {number: 9080, protocol: HTTP, name: http}\n    ${fields}`;

describe('Sidecar validation', () => {
  it("accepts the examples from Istio's Sidecar reference", () => {
    // https://istio.io/latest/docs/reference/config/networking/sidecar/
    const spec = `workloadSelector:
  labels: {app: ratings}
ingress:
  - port: {number: 9080, protocol: HTTP, name: somename}
    defaultEndpoint: unix:///var/run/someuds.sock
  - port: {number: 9443, protocol: HTTPS, name: https}
    defaultEndpoint: 127.0.0.1:8443
    tls: {mode: SIMPLE, privateKey: /etc/certs/privatekey.pem, serverCertificate: /etc/certs/servercert.pem}
    connectionPool: {tcp: {maxConnections: 100, connectTimeout: 30ms}, http: {http1MaxPendingRequests: 10, idleTimeout: 1h}}
egress:
  - port: {number: 9080, protocol: HTTP, name: egresshttp}
    hosts: ["prod-us1/*"]
  - port: {number: 0, protocol: HTTP, name: uds}
    bind: unix:///var/run/uds.sock
    captureMode: NONE
    hosts: ["./foo.example.com"]
  - hosts: ["istio-system/*", "~/excluded.example.com", "~ns1/*"]
outboundTrafficPolicy:
  mode: ALLOW_ANY
  egressProxy: {host: egress.example.com, subset: v1, port: {number: 3128}}
inboundConnectionPool:
  http: {http2MaxRequests: 100, h2UpgradePolicy: UPGRADE}`;
    expect(problems(sc(spec))).toEqual([]);
    expect(problems(sc(egress('["*/*"]')))).toEqual([]);
  });

  it('needs something to configure', () => {
    expect(problems(sc('workloadSelector: {labels: {app: ratings}}'))).toEqual(['spec: sidecar: empty configuration provided']);
    expect(problems(sc('egress: []\ningress: []'))).toEqual(['spec: sidecar: empty configuration provided']);
  });

  it('rejects empty keys and wildcards in the workload selector', () => {
    expect(problems(sc(`workloadSelector: {labels: {"": x, app: "rat*"}}\n${egress('["*/*"]')}`))).toEqual([
      'spec.workloadSelector.labels: empty key is not supported in selector: "=x"',
      'spec.workloadSelector.labels.app: wildcard is not supported in selector: "app=rat*"',
    ]);
  });

  it.each([
    ['*', 'host must be of form namespace/dnsName'],
    ['foo.com', 'host must be of form namespace/dnsName'],
    ['/', 'config namespace and dnsName in host entry cannot be empty'],
    ['~Invalid_NS/*', 'invalid namespace value "~Invalid_NS" in sidecar'],
    ['ns1/foo', 'short names (non FQDN) are not allowed'],
    ['ns1/*foo.com', 'partial wildcard "*foo.com" not allowed'],
  ])('rejects the egress host %s', (host, message) => {
    expect(problems(sc(egress(`["${host}"]`)))).toEqual([`spec.egress[0].hosts[0]: ${message}`]);
  });

  it('needs hosts on each egress listener', () => {
    expect(problems(sc(egress('[]')))).toEqual(['spec.egress[0].hosts: sidecar: egress listener must contain at least one host']);
  });

  it('allows one egress listener without a port, and only as the last one', () => {
    const spec = `egress:
  - hosts: ["*/foo.com"]
  - port: {number: 8080, protocol: HTTP, name: h8080}
    hosts: ["ns1/bar.com"]`;
    expect(problems(sc(spec))).toEqual(['spec.egress[0].port: sidecar: the egress listener with empty port should be the last listener in the list']);
  });

  it('checks egress ports: name, protocol, number, and uniqueness', () => {
    const spec = `egress:
  - port: {number: 1000000, protocol: http1, name: Bad_Name, targetPort: 80}
    hosts: ["ns1/bar.com"]
  - port: {number: 8080, protocol: HTTP}
    hosts: ["ns1/bar.com"]
  - port: {number: 8080, protocol: TCP}
    hosts: ["ns1/baz.com"]`;
    expect(problems(sc(spec))).toEqual([
      'spec.egress[0].port.name: invalid port name: Bad_Name',
      'spec.egress[0].port.protocol: unsupported protocol: http1',
      'spec.egress[0].port.number: port number 1000000 must be in the range 1..65535',
      'spec.egress[0].port.targetPort: targetPort has no impact on Sidecars',
      'spec.egress[2].port.number: sidecar: ports on IP bound listeners must be unique',
    ]);
  });

  it('needs a unix socket bind, and DEFAULT or NONE capture, for an egress port 0', () => {
    expect(problems(sc('egress: [{port: {number: 0, protocol: HTTP}, hosts: ["ns1/a.com"], captureMode: IPTABLES}]'))).toEqual([
      'spec.egress[0].bind: sidecar: ports with 0 value must have a unix domain socket bind address',
      'spec.egress[0].captureMode: sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners',
    ]);
    const twice = `egress:
  - {port: {number: 0, protocol: HTTP}, bind: "unix:///a.sock", hosts: ["ns1/a.com"]}
  - {port: {number: 0, protocol: HTTP}, bind: "unix:///a.sock", hosts: ["ns1/b.com"]}`;
    expect(problems(sc(twice))).toEqual(['spec.egress[1].bind: sidecar: unix domain socket values for listeners must be unique']);
  });

  it('needs a port on each ingress listener, unique across them', () => {
    expect(problems(sc('ingress: [{defaultEndpoint: "127.0.0.1:8080"}]'))).toEqual(['spec.ingress[0].port: sidecar: port is required for ingress listeners']);
    const twice = 'ingress:\n  - port: {number: 9080, protocol: HTTP, name: a}\n  - port: {number: 9080, protocol: HTTP, name: b}';
    expect(problems(sc(twice))).toEqual(['spec.ingress[1].port.number: sidecar: ports on IP bound listeners must be unique']);
  });

  it.each([
    ['127.0.0.1:8080', []],
    ['0.0.0.0:8080', []],
    ['[::1]:8080', []],
    [':8080', []],
    ['unix:///var/run/app.sock', []],
    ['unix://@abstract', []],
    ['10.0.0.1:8080', ['sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset']],
    ['127.0.0.1', ['address 127.0.0.1: missing port in address']],
    ['127.0.0.1:http', ['sidecar: defaultEndpoint port (http) is not a number: strconv.Atoi: parsing "http": invalid syntax']],
    ['127.0.0.1:70000', ['port number 70000 must be in the range 1..65535']],
    ['unix://var/app.sock', ['var/app.sock is not an absolute path to a file']],
  ])('defaultEndpoint %s', (endpoint, expected) => {
    expect(problems(sc(ingress(`defaultEndpoint: "${endpoint}"`)))).toEqual(expected.map((m) => `spec.ingress[0].defaultEndpoint: ${m}`));
  });

  it('checks ingress TLS: only on TLS ports, and without what a sidecar cannot do', () => {
    expect(problems(sc(ingress('tls: {mode: SIMPLE, credentialName: cert, httpsRedirect: true, subjectAltNames: [a]}')))).toEqual([
      'spec.ingress[0].tls.subjectAltNames: sidecar: subjectAltNames is not supported in ingress tls',
      'spec.ingress[0].tls.httpsRedirect: sidecar: httpsRedirect is not supported',
      'spec.ingress[0].tls.credentialName: sidecar: credentialName is not currently supported',
      'spec.ingress[0].tls: server cannot have TLS settings for non HTTPS/TLS ports',
    ]);
    const tlsPort = 'ingress:\n  - port: {number: 9443, protocol: HTTPS, name: https}\n    tls: {mode: ISTIO_MUTUAL}';
    expect(problems(sc(tlsPort))).toEqual(['spec.ingress[0].tls.mode: configuration is invalid: cannot set mode to ISTIO_MUTUAL in sidecar ingress tls']);
    const noCert = 'ingress:\n  - port: {number: 9443, protocol: HTTPS, name: https}\n    tls: {mode: SIMPLE}';
    expect(problems(sc(noCert))).toEqual([
      'spec.ingress[0].tls.serverCertificate: SIMPLE TLS requires a server certificate',
      'spec.ingress[0].tls.privateKey: SIMPLE TLS requires a private key',
    ]);
  });

  it('checks connection pools', () => {
    expect(problems(sc('inboundConnectionPool: {}'))).toEqual(['spec.inboundConnectionPool: connection pool must have at least one field']);
    const pool = `inboundConnectionPool:
  http: {http1MaxPendingRequests: -1, idleTimeout: 0.5ms, h2UpgradePolicy: UPGRADE, useClientProtocol: true, http2KeepAlive: {interval: 10s}}
  tcp: {maxConnections: -1, connectTimeout: 0s, idleTimeout: 0s}`;
    expect(problems(sc(pool))).toEqual([
      'spec.inboundConnectionPool.http.http1MaxPendingRequests: http1 max pending requests must be non-negative',
      'spec.inboundConnectionPool.http.idleTimeout: duration must be greater than 1ms',
      'spec.inboundConnectionPool.http.useClientProtocol: use client protocol must not be true when H2UpgradePolicy is UPGRADE',
      'spec.inboundConnectionPool.http.http2KeepAlive.timeout: http2 keepalive timeout is required',
      'spec.inboundConnectionPool.tcp.maxConnections: max connections must be non-negative',
      'spec.inboundConnectionPool.tcp.connectTimeout: duration must be greater than 1ms',
    ]);
  });

  it('checks the outbound traffic policy', () => {
    expect(problems(sc('outboundTrafficPolicy: {mode: DENY_ALL}'))).toEqual([
      'spec.outboundTrafficPolicy.mode: unsupported outbound traffic policy mode DENY_ALL; use REGISTRY_ONLY or ALLOW_ANY',
    ]);
    expect(problems(sc('outboundTrafficPolicy: {mode: ALLOW_ANY_DYNAMIC_DNS}'))).toEqual([
      'spec.outboundTrafficPolicy.mode: sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in Sidecar resource',
    ]);
    expect(problems(sc('outboundTrafficPolicy: {egressProxy: {host: proxy.example.com, port: {number: 3128}}}'))).toEqual([
      'spec.outboundTrafficPolicy.egressProxy: sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode',
    ]);
    expect(problems(sc('outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: proxy.example.com}}'))).toEqual([
      'spec.outboundTrafficPolicy.egressProxy.port: sidecar: egress_proxy port must be non-nil',
    ]);
    expect(problems(sc('outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: "proxy_1.example.com", subset: v_1, port: {number: 0}}}'))).toEqual([
      'spec.outboundTrafficPolicy.egressProxy.host: domain name "proxy_1.example.com" invalid (label "proxy_1" invalid)',
      'spec.outboundTrafficPolicy.egressProxy.subset: subset name is invalid: v_1',
      'spec.outboundTrafficPolicy.egressProxy.port.number: port number 0 must be in the range 1..65535',
    ]);
  });
});
