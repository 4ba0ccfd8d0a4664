/**
 * A cluster under construction. Several parts of a traffic policy write
 * into one HttpProtocolOptions (the upstream protocol, connection pool
 * limits, TLS auto-SNI), so they fill in this draft and `finishCluster`
 * writes it once, as Istio's clusterWrapper.build does.
 */
import { HTTP_PROTOCOL_OPTIONS_KEY, HTTP_PROTOCOL_OPTIONS_TYPE } from '../../common/type-names.js';

export type UpstreamProtocol =
  | { readonly kind: 'http2'; readonly http2: Record<string, unknown> }
  /** Use the downstream connection's protocol (DestinationRule useClientProtocol). */
  | { readonly kind: 'downstream' };

export interface HttpOptionsDraft {
  upstream?: UpstreamProtocol;
  common?: Record<string, unknown>;
  upstreamHttp?: Record<string, unknown>;
}

export interface ClusterDraft {
  readonly cluster: Record<string, unknown>;
  /** Undefined until something needs HttpProtocolOptions. */
  http?: HttpOptionsDraft;
}

export function httpOptions(draft: ClusterDraft): HttpOptionsDraft {
  draft.http ??= {};
  return draft.http;
}

/** Upstream HTTP/2, kept when something already chose it (so per-pool HTTP/2 settings have a place to go). */
export function useHttp2(draft: ClusterDraft): void {
  const http = httpOptions(draft);
  http.upstream ??= { kind: 'http2', http2: {} };
}

export function isHttp2Cluster(draft: ClusterDraft): boolean {
  return draft.http?.upstream?.kind === 'http2';
}

function upstreamProtocolOptions(upstream: UpstreamProtocol | undefined): Record<string, unknown> {
  if (upstream?.kind === 'http2') return { explicitHttpConfig: { http2ProtocolOptions: upstream.http2 } };
  if (upstream?.kind === 'downstream') return { useDownstreamProtocolConfig: { httpProtocolOptions: {}, http2ProtocolOptions: {} } };
  // Envoy requires one upstream protocol choice; Istio falls back to explicit HTTP/1.1.
  return { explicitHttpConfig: { httpProtocolOptions: {} } };
}

export function finishCluster(draft: ClusterDraft): Record<string, unknown> {
  const http = draft.http;
  if (!http) return draft.cluster;
  const options: Record<string, unknown> = { '@type': HTTP_PROTOCOL_OPTIONS_TYPE };
  if (http.common) options['commonHttpProtocolOptions'] = http.common;
  if (http.upstreamHttp) options['upstreamHttpProtocolOptions'] = http.upstreamHttp;
  Object.assign(options, upstreamProtocolOptions(http.upstream));
  return { ...draft.cluster, typedExtensionProtocolOptions: { [HTTP_PROTOCOL_OPTIONS_KEY]: options } };
}
