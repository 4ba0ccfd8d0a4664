/**
 * MeshConfig.extensionProviders and trustDomainAliases as the mesh config
 * parser reads them: Istio's proto JSON shape (camelCase or snake_case),
 * type errors naming the field, and Istio's name rules.
 */
import { describe, expect, it } from 'vitest';
import { parseExtensionProviders } from '../../src/model/extension-providers.js';
import { parseMeshConfig } from '../../src/model/mesh-config.js';
import { DEFAULT_MESH_CONFIG } from '../../src/model/types.js';

const origin = { source: 'mesh.yaml' };

describe('extensionProviders in a mesh config', () => {
  it('reads ext_authz providers in Istio\'s shape and keeps other kinds by name', () => {
    const result = parseMeshConfig(
      `
extensionProviders:
- name: authz-http
  envoyExtAuthzHttp:
    service: authz.foo.svc.cluster.local
    port: "8000"
    timeout: 2s
    path_prefix: /check
    includeRequestHeadersInCheck: [authorization]
    includeAdditionalHeadersInCheck: {x-a: "1"}
    includeRequestBodyInCheck: {maxRequestBytes: 4096, packAsBytes: true}
- name: authz-grpc
  envoy_ext_authz_grpc: {service: foo/authz.foo.svc.cluster.local, port: 9000, failOpen: true, statusOnError: "503"}
- name: tracing
  zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}
trustDomainAliases: [old.example]
`,
      DEFAULT_MESH_CONFIG,
      origin,
    );
    expect(result.errors).toBeUndefined();
    expect(result.mesh?.trustDomainAliases).toEqual(['old.example']);
    expect(result.mesh?.extensionProviders).toEqual([
      {
        name: 'authz-http',
        envoyExtAuthzHttp: {
          service: 'authz.foo.svc.cluster.local',
          port: 8000,
          timeout: '2s',
          pathPrefix: '/check',
          includeRequestHeadersInCheck: ['authorization'],
          includeAdditionalHeadersInCheck: { 'x-a': '1' },
          includeRequestBodyInCheck: { maxRequestBytes: 4096, packAsBytes: true },
        },
      },
      { name: 'authz-grpc', envoyExtAuthzGrpc: { service: 'foo/authz.foo.svc.cluster.local', port: 9000, failOpen: true, statusOnError: '503' } },
      { name: 'tracing' },
    ]);
  });

  it('refuses the mesh config for a mistyped field, naming where', () => {
    const result = parseMeshConfig('extensionProviders:\n- name: p\n  envoyExtAuthzGrpc: {service: s, port: [1]}\n', DEFAULT_MESH_CONFIG, origin);
    expect(result.errors?.map((e) => `${e.path}: ${e.message}`)).toEqual(['extensionProviders[0].envoyExtAuthzGrpc.port: must be a non-negative integer (found a list)']);
  });

  it('refuses empty and repeated names, and entries with no or two providers', () => {
    const parsed = parseExtensionProviders([
      { name: '', envoyExtAuthzGrpc: { service: 's', port: 1 } },
      { name: 'a', envoyExtAuthzGrpc: { service: 's', port: 1 } },
      { name: 'a', envoyExtAuthzGrpc: { service: 's', port: 1 } },
      { name: 'b' },
      { name: 'c', envoyExtAuthzGrpc: { service: 's', port: 1 }, envoyExtAuthzHttp: { service: 's', port: 1 } },
    ]);
    expect(parsed.problems?.map((p) => `${p.path}: ${p.message}`)).toEqual([
      '[0].name: empty extension provider name',
      '[2].name: duplicate extension provider name a',
      '[3]: extension provider b must set exactly one provider (found 0)',
      '[4]: extension provider c must set exactly one provider (found 2)',
    ]);
  });

  it('refuses trustDomainAliases that are not a list of strings', () => {
    expect(parseMeshConfig('trustDomainAliases: old.example\n', DEFAULT_MESH_CONFIG, origin).errors?.[0]?.path).toBe('trustDomainAliases');
  });
});
