/**
 * MeshConfig extension providers as ext_authz filter configs (Istio's
 * generateHTTPConfig / generateGRPCConfig and processExtensionProvider's
 * checks), checked against the fields of Envoy's ext_authz protos.
 */
import { describe, expect, it } from 'vitest';
import type { ExtensionProvider } from '../../../../src/model/extension-providers.js';
import type { MeshService } from '../../../../src/model/types.js';
import { resolveExtAuthzProviders } from '../../../../src/xds/gen/authz/ext-authz.js';

function service(hostname: string, namespace: string): MeshService {
  return { hostname, name: hostname.split('.')[0] as string, namespace, ports: [], labels: {}, origin: 'kubernetes', resolution: 'EDS', meshExternal: false, exportTo: ['*'] };
}

const services = new Map([['authz.foo.svc.cluster.local', service('authz.foo.svc.cluster.local', 'foo')]]);

function resolve(provider: ExtensionProvider): ReturnType<typeof resolveExtAuthzProviders> extends ReadonlyMap<string, infer R> ? R | undefined : never {
  return resolveExtAuthzProviders([provider], services).get(provider.name);
}

describe('envoyExtAuthzHttp', () => {
  it('calls the service\'s outbound cluster over HTTP, with the headers, body and status it names', () => {
    const resolved = resolve({
      name: 'http',
      envoyExtAuthzHttp: {
        service: 'foo/authz.foo.svc.cluster.local',
        port: 8000,
        timeout: '2s',
        pathPrefix: '/check',
        failOpen: true,
        statusOnError: '403',
        includeRequestHeadersInCheck: ['authorization', 'x-ext-*'],
        includeHeadersInCheck: ['ignored-when-the-new-field-is-set'],
        includeAdditionalHeadersInCheck: { 'x-b': '2', 'x-a': '1' },
        includeRequestBodyInCheck: { maxRequestBytes: 1024, allowPartialMessage: true },
        headersToUpstreamOnAllow: ['x-user-*'],
        headersToDownstreamOnDeny: ['*-reason'],
      },
    });
    expect(resolved?.errors).toBeUndefined();
    expect(resolved?.tcp).toBeUndefined();
    expect(resolved?.http).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
      statusOnError: { code: 'Forbidden' },
      failureModeAllow: true,
      transportApiVersion: 'V3',
      httpService: {
        pathPrefix: '/check',
        serverUri: { uri: 'http://authz.foo.svc.cluster.local', cluster: 'outbound|8000||authz.foo.svc.cluster.local', timeout: { seconds: 2 } },
        authorizationRequest: { headersToAdd: [{ key: 'x-a', value: '1' }, { key: 'x-b', value: '2' }] },
        authorizationResponse: {
          allowedUpstreamHeaders: { patterns: [{ prefix: 'x-user-', ignoreCase: true }] },
          allowedClientHeaders: { patterns: [{ suffix: '-reason', ignoreCase: true }] },
        },
      },
      withRequestBody: { maxRequestBytes: 1024, allowPartialMessage: true },
      allowedHeaders: { patterns: [{ exact: 'authorization', ignoreCase: true }, { prefix: 'x-ext-', ignoreCase: true }] },
    });
  });

  it('waits 600s by default', () => {
    const http = resolve({ name: 'http', envoyExtAuthzHttp: { service: 'authz.foo.svc.cluster.local', port: 8000 } })?.http as Record<string, { serverUri: { timeout: unknown } }>;
    expect(http['httpService']?.serverUri.timeout).toEqual({ seconds: 600 });
  });
});

describe('envoyExtAuthzGrpc', () => {
  it('serves HTTP and TCP chains through Envoy\'s gRPC client to the outbound cluster', () => {
    const resolved = resolve({ name: 'grpc', envoyExtAuthzGrpc: { service: 'authz.foo.svc.cluster.local', port: 9000, timeout: '0.25s' } });
    const grpcService = { envoyGrpc: { clusterName: 'outbound|9000||authz.foo.svc.cluster.local', authority: 'authz.foo.svc.cluster.local' }, timeout: { seconds: 0, nanos: 250_000_000 } };
    expect(resolved?.http).toEqual({ '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz', grpcService, transportApiVersion: 'V3' });
    expect(resolved?.tcp).toEqual({ '@type': 'type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz', statPrefix: 'tcp.', transportApiVersion: 'V3', grpcService });
  });
});

describe('providers that cannot be used', () => {
  it.each([
    ['an unknown service', { name: 'p', envoyExtAuthzGrpc: { service: 'nowhere.svc', port: 9000 } }, /could not find service nowhere.svc/],
    ['a service in another namespace than named', { name: 'p', envoyExtAuthzGrpc: { service: 'bar/authz.foo.svc.cluster.local', port: 9000 } }, /could not find/],
    ['a port out of range', { name: 'p', envoyExtAuthzGrpc: { service: 'authz.foo.svc.cluster.local', port: 70000 } }, /port must be in the range/],
    ['a status Envoy has no name for', { name: 'p', envoyExtAuthzGrpc: { service: 'authz.foo.svc.cluster.local', port: 9000, statusOnError: '999' } }, /unsupported statusOnError 999/],
    ['a path prefix without a leading slash', { name: 'p', envoyExtAuthzHttp: { service: 'authz.foo.svc.cluster.local', port: 8000, pathPrefix: 'check' } }, /pathPrefix must begin with/],
    ['a lone "*" header', { name: 'p', envoyExtAuthzHttp: { service: 'authz.foo.svc.cluster.local', port: 8000, includeRequestHeadersInCheck: ['*'] } }, /single wildcard/],
    ['an upper-case name', { name: 'Authz', envoyExtAuthzGrpc: { service: 'authz.foo.svc.cluster.local', port: 9000 } }, /only lowercase letters/],
  ] as const)('report %s', (_what, provider, problem) => {
    const resolved = resolve(provider as ExtensionProvider);
    expect(resolved?.http).toBeUndefined();
    expect(resolved?.errors?.join('; ')).toMatch(problem);
  });

  it('a repeated name resolves to an error; providers of other kinds are not ext_authz providers', () => {
    const resolved = resolveExtAuthzProviders(
      [
        { name: 'p', envoyExtAuthzGrpc: { service: 'authz.foo.svc.cluster.local', port: 9000 } },
        { name: 'p', envoyExtAuthzGrpc: { service: 'authz.foo.svc.cluster.local', port: 9000 } },
        { name: 'zipkin' },
      ],
      services,
    );
    expect(resolved.get('p')?.errors?.join()).toMatch(/must be unique/);
    expect(resolved.has('zipkin')).toBe(false);
  });
});
