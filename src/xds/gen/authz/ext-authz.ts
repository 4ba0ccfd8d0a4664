/**
 * The ext_authz filters of MeshConfig's envoyExtAuthzHttp and
 * envoyExtAuthzGrpc extension providers (Istio's processExtensionProvider
 * and generateHTTPConfig / generateGRPCConfig). An HTTP provider serves
 * HTTP chains only; a gRPC provider both HTTP and TCP chains. A provider
 * that does not resolve (unknown service, bad port, status or path
 * prefix) resolves to its problems instead: the policies naming it then
 * deny what they cover, as in Istio.
 *
 * filter_enabled_metadata is left to the caller: it depends on which RBAC
 * filter (HTTP or network) records the shadow match, and on the provider.
 */
import type { ExtAuthzGrpcProvider, ExtAuthzHttpProvider, ExtAuthzRequestBody, ExtensionProvider } from '../../../model/extension-providers.js';
import type { MeshService } from '../../../model/types.js';
import { parseGoDuration, secondsDuration, type ProtoDuration } from '../common/duration.js';
import { HTTP_EXT_AUTHZ_TYPE, NETWORK_EXT_AUTHZ_TYPE, RBAC_TCP_STAT_PREFIX } from './filter-names.js';
import { lookupCluster } from './lookup-cluster.js';
import { exactMatcher, prefixMatcher, suffixMatcher, type EnvoyMessage } from './matchers.js';

export type ResolvedExtAuthz =
  | { readonly http: EnvoyMessage; readonly tcp?: EnvoyMessage; readonly errors?: undefined }
  | { readonly errors: readonly string[]; readonly http?: undefined; readonly tcp?: undefined };

/** Envoy's envoy.type.v3.StatusCode names, by code (the codes statusOnError may name). */
const STATUS_CODES: Readonly<Record<number, string>> = {
  100: 'Continue', 200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'NonAuthoritativeInformation', 204: 'NoContent',
  205: 'ResetContent', 206: 'PartialContent', 207: 'MultiStatus', 208: 'AlreadyReported', 226: 'IMUsed',
  300: 'MultipleChoices', 301: 'MovedPermanently', 302: 'Found', 303: 'SeeOther', 304: 'NotModified', 305: 'UseProxy',
  307: 'TemporaryRedirect', 308: 'PermanentRedirect', 400: 'BadRequest', 401: 'Unauthorized', 402: 'PaymentRequired',
  403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 406: 'NotAcceptable', 407: 'ProxyAuthenticationRequired',
  408: 'RequestTimeout', 409: 'Conflict', 410: 'Gone', 411: 'LengthRequired', 412: 'PreconditionFailed',
  413: 'PayloadTooLarge', 414: 'URITooLong', 415: 'UnsupportedMediaType', 416: 'RangeNotSatisfiable',
  417: 'ExpectationFailed', 421: 'MisdirectedRequest', 422: 'UnprocessableEntity', 423: 'Locked', 424: 'FailedDependency',
  426: 'UpgradeRequired', 428: 'PreconditionRequired', 429: 'TooManyRequests', 431: 'RequestHeaderFieldsTooLarge',
  500: 'InternalServerError', 501: 'NotImplemented', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout',
  505: 'HTTPVersionNotSupported', 506: 'VariantAlsoNegotiates', 507: 'InsufficientStorage', 508: 'LoopDetected',
  510: 'NotExtended', 511: 'NetworkAuthenticationRequired',
};

/** Istio's default ext_authz timeout. */
const DEFAULT_TIMEOUT_SECONDS = 600;

/** Provider names end up in metadata keys and policy names: DNS-1123 label characters only (Istio's validateProviderName). */
function providerNameProblem(name: string): string | undefined {
  if (name.length > 63) return `provider name too long (max 63 characters): ${name.length}`;
  if (!/^[a-z0-9-]+$/.test(name)) return `invalid provider name ${JSON.stringify(name)}: only lowercase letters, digits, and hyphens allowed`;
  if (name.startsWith('-') || name.endsWith('-')) return `invalid provider name ${JSON.stringify(name)}: cannot start or end with hyphen`;
  return undefined;
}

function statusOnError(status: string | undefined, errors: string[]): EnvoyMessage | undefined {
  if (status === undefined || status === '') return undefined;
  const name = /^[0-9]+$/.test(status) ? STATUS_CODES[Number(status)] : undefined;
  if (!name) {
    errors.push(`unsupported statusOnError ${status}`);
    return undefined;
  }
  return { code: name };
}

function timeoutOf(timeout: string | undefined, errors: string[]): ProtoDuration {
  if (timeout === undefined) return secondsDuration(DEFAULT_TIMEOUT_SECONDS);
  const parsed = parseGoDuration(timeout);
  if (!parsed) errors.push(`invalid timeout ${JSON.stringify(timeout)}`);
  return parsed ?? secondsDuration(DEFAULT_TIMEOUT_SECONDS);
}

/** Header name patterns: "x-*" is a prefix, "*-x" a suffix, compared without case; a lone "*" is refused. */
function headerPatterns(field: string, headers: readonly string[] | undefined, errors: string[]): EnvoyMessage | undefined {
  if (!headers || headers.length === 0) return undefined;
  if (headers.includes('*')) errors.push(`a single wildcard ("*") is not supported, change it to either prefix or suffix match: ${field}`);
  const patterns = headers.map((h) => (h.startsWith('*') ? suffixMatcher(h.slice(1), true) : h.endsWith('*') ? prefixMatcher(h.slice(0, -1), true) : exactMatcher(h, true)));
  return { patterns };
}

function requestBody(body: ExtAuthzRequestBody | undefined): EnvoyMessage | undefined {
  if (!body) return undefined;
  const out: EnvoyMessage = {};
  if (body.maxRequestBytes) out['maxRequestBytes'] = body.maxRequestBytes;
  if (body.allowPartialMessage) out['allowPartialMessage'] = true;
  if (body.packAsBytes) out['packAsBytes'] = true;
  return out;
}

function withOptional(message: EnvoyMessage, fields: Record<string, unknown>): EnvoyMessage {
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== false) message[key] = value;
  return message;
}

function clusterOf(services: ReadonlyMap<string, MeshService>, service: string, port: number, errors: string[]): { hostname: string; cluster: string } {
  if (!Number.isInteger(port) || port < 1 || port > 65535) errors.push(`port must be in the range [1, 65535], found: ${port}`);
  const found = lookupCluster(services, service, port);
  if ('error' in found) {
    errors.push(found.error);
    return { hostname: '', cluster: '' };
  }
  return found;
}

function httpProvider(config: ExtAuthzHttpProvider, services: ReadonlyMap<string, MeshService>): ResolvedExtAuthz {
  const errors: string[] = [];
  const { hostname, cluster } = clusterOf(services, config.service, config.port, errors);
  const status = statusOnError(config.statusOnError, errors);
  const pathPrefix = config.pathPrefix ?? '';
  if (pathPrefix !== '' && !pathPrefix.startsWith('/')) errors.push(`pathPrefix must begin with \`/\`, found: ${JSON.stringify(pathPrefix)}`);
  const requestHeaders = config.includeRequestHeadersInCheck?.length ? config.includeRequestHeadersInCheck : config.includeHeadersInCheck;
  const allowedHeaders = headerPatterns('IncludeRequestHeadersInCheck', requestHeaders, errors);
  const upstream = headerPatterns('HeadersToUpstreamOnAllow', config.headersToUpstreamOnAllow, errors);
  const clientOnDeny = headerPatterns('HeadersToDownstreamOnDeny', config.headersToDownstreamOnDeny, errors);
  const clientOnAllow = headerPatterns('HeadersToDownstreamOnAllow', config.headersToDownstreamOnAllow, errors);
  const timeout = timeoutOf(config.timeout, errors);
  if (errors.length > 0) return { errors };

  // The URI is required but unused: the cluster decides where the check goes.
  const service: EnvoyMessage = withOptional({}, { pathPrefix: pathPrefix || undefined });
  service['serverUri'] = { uri: `http://${hostname}`, cluster, timeout };
  const additional = Object.entries(config.includeAdditionalHeadersInCheck ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (additional.length > 0) service['authorizationRequest'] = { headersToAdd: additional.map(([key, value]) => ({ key, value })) };
  if (upstream || clientOnDeny || clientOnAllow) {
    service['authorizationResponse'] = withOptional({}, { allowedUpstreamHeaders: upstream, allowedClientHeaders: clientOnDeny, allowedClientHeadersOnSuccess: clientOnAllow });
  }
  const http = withOptional(
    { '@type': HTTP_EXT_AUTHZ_TYPE },
    { statusOnError: status, failureModeAllow: config.failOpen, transportApiVersion: 'V3', httpService: service, withRequestBody: requestBody(config.includeRequestBodyInCheck), allowedHeaders },
  );
  return { http };
}

function grpcProvider(config: ExtAuthzGrpcProvider, services: ReadonlyMap<string, MeshService>): ResolvedExtAuthz {
  const errors: string[] = [];
  const { hostname, cluster } = clusterOf(services, config.service, config.port, errors);
  const status = statusOnError(config.statusOnError, errors);
  const timeout = timeoutOf(config.timeout, errors);
  if (errors.length > 0) return { errors };
  const grpcService = { envoyGrpc: { clusterName: cluster, authority: hostname }, timeout };
  const http = withOptional(
    { '@type': HTTP_EXT_AUTHZ_TYPE },
    { statusOnError: status, failureModeAllow: config.failOpen, grpcService, transportApiVersion: 'V3', withRequestBody: requestBody(config.includeRequestBodyInCheck) },
  );
  const tcp = withOptional(
    { '@type': NETWORK_EXT_AUTHZ_TYPE, statPrefix: RBAC_TCP_STAT_PREFIX },
    { failureModeAllow: config.failOpen, transportApiVersion: 'V3', grpcService },
  );
  return { http, tcp };
}

/**
 * Every ext_authz provider of the mesh by name. Names that are empty,
 * repeated or not DNS-1123 labels resolve to errors too.
 */
export function resolveExtAuthzProviders(providers: readonly ExtensionProvider[], services: ReadonlyMap<string, MeshService>): ReadonlyMap<string, ResolvedExtAuthz> {
  const resolved = new Map<string, ResolvedExtAuthz>();
  providers.forEach((provider, i) => {
    const nameErrors: string[] = [];
    if (provider.name === '') nameErrors.push(`extension provider name must not be empty, found empty at index: ${i}`);
    else if (resolved.has(provider.name)) nameErrors.push(`extension provider name must be unique, found duplicate: ${provider.name}`);
    const nameProblem = provider.name === '' ? undefined : providerNameProblem(provider.name);
    if (nameProblem) nameErrors.push(nameProblem);
    let built: ResolvedExtAuthz;
    if (provider.envoyExtAuthzHttp) built = httpProvider(provider.envoyExtAuthzHttp, services);
    else if (provider.envoyExtAuthzGrpc) built = grpcProvider(provider.envoyExtAuthzGrpc, services);
    else return;
    const errors = [...nameErrors, ...(built.errors ?? [])];
    resolved.set(provider.name, errors.length > 0 ? { errors } : built);
  });
  return resolved;
}
