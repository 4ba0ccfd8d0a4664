/**
 * Envoy's protos, loaded at run time with protobufjs from the registry
 * packages that ship them (@grpc/grpc-js-xds `deps/`, google-proto-files).
 * They are not generated with buf: see README "Protos" for why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

/** Every Envoy/xDS proto file whose messages tsiod may put on the wire. */
const ENTRY_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto',
  'envoy/extensions/retry/priority/previous_priorities/v3/previous_priorities_config.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/filters/network/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/path/match/uri_template/v3/uri_template_match.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/clusters/aggregate/v3/cluster.proto',
  'envoy/extensions/load_balancing_policies/ring_hash/v3/ring_hash.proto',
  'envoy/extensions/load_balancing_policies/round_robin/v3/round_robin.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
];

export function protoIncludeDirs(): string[] {
  const xdsPkg = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  const googleProtos = path.dirname(require.resolve('google-proto-files/package.json'));
  return [
    ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(xdsPkg, 'deps', d)),
    googleProtos,
  ];
}

let cachedRoot: protobuf.Root | undefined;

/** The protobufjs root holding every Envoy type tsiod uses; loaded once per process. */
export function envoyRoot(): protobuf.Root {
  if (cachedRoot) return cachedRoot;
  const includes = protoIncludeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (origin: string, target: string): string => {
    for (const dir of includes) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return protobuf.util.path.resolve(origin, target);
  };
  root.loadSync(ENTRY_FILES, { keepCase: false });
  root.resolveAll();
  cachedRoot = root;
  return root;
}

/** Looks up a message type by full name (without the type.googleapis.com/ prefix). */
export function envoyType(fullName: string): protobuf.Type {
  return envoyRoot().lookupType(fullName);
}

/** The message type behind an Any type URL. */
export function typeForUrl(typeUrl: string): protobuf.Type {
  return envoyType(typeUrl.slice(typeUrl.indexOf('/') + 1));
}
