import { describe, expect, it } from 'vitest';
import { parseDialedName } from '../../../../src/xds/gen/proxyless/dialed-name.js';
import { resolveDialedTarget } from '../../../../src/xds/gen/proxyless/resolve-dialed-host.js';
import { fqdn, kubeService, port, serviceEntry, snapshot } from '../helpers/mesh-builder.js';

const snap = snapshot({
  services: [
    kubeService('reviews', 'default', [port(9080)]),
    kubeService('reviews', 'other', [port(9080)]),
    kubeService('echo', 'echo', [port(7070, 'GRPC'), port(8080)]),
    serviceEntry('api.example.com', 'default', 'DNS', [port(443, 'TLS')]),
  ],
});

describe('parseDialedName', () => {
  it('splits host and port', () => expect(parseDialedName('reviews:9080')).toEqual({ host: 'reviews', port: 9080 }));
  it('accepts a bare host', () => expect(parseDialedName('reviews')).toEqual({ host: 'reviews' }));
  it('rejects malformed names', () => {
    expect(parseDialedName('reviews:')).toBeUndefined();
    expect(parseDialedName('reviews:99999')).toBeUndefined();
    expect(parseDialedName('')).toBeUndefined();
  });
});

describe('resolveDialedTarget', () => {
  it("resolves a short name in the proxy's namespace", () => {
    expect(resolveDialedTarget(snap, 'reviews:9080', 'default')?.service.hostname).toBe(fqdn('reviews', 'default'));
    expect(resolveDialedTarget(snap, 'reviews:9080', 'other')?.service.hostname).toBe(fqdn('reviews', 'other'));
  });

  it('resolves name.namespace, name.namespace.svc and the FQDN from any namespace', () => {
    for (const name of ['echo.echo:7070', 'echo.echo.svc:7070', `${fqdn('echo', 'echo')}:7070`]) {
      expect(resolveDialedTarget(snap, name, 'default')?.service.hostname, name).toBe(fqdn('echo', 'echo'));
    }
  });

  it("uses the service's first port when none is dialed", () => {
    const target = resolveDialedTarget(snap, 'echo.echo', 'default');
    expect(target?.port.port).toBe(7070);
    expect(target?.dialedPort).toBeUndefined();
  });

  it('finds nothing for an unknown host, a port the service lacks, or a service gRPC cannot reach', () => {
    expect(resolveDialedTarget(snap, 'nosuch:80', 'default')).toBeUndefined();
    expect(resolveDialedTarget(snap, 'reviews:1234', 'default')).toBeUndefined();
    expect(resolveDialedTarget(snap, 'api.example.com:443', 'default')).toBeUndefined();
  });

  it('does not resolve a short name against another namespace', () => {
    expect(resolveDialedTarget(snap, 'echo:7070', 'default')).toBeUndefined();
  });
});
