/**
 * Delegate VirtualServices, as Istio merges them (pilot/pkg/model
 * virtualservice.go and its MergedVirtualServices collection). A
 * VirtualService without hosts is a delegate: it never routes on its own. A
 * root's http route naming it with `delegate` is replaced by the delegate's
 * http routes, each with its match narrowed by the root route's match (a
 * delegate match that contradicts every root match is dropped) and the root
 * route's settings filling what the delegate route leaves unset. Delegation
 * is one level deep, and only to a delegate exported to the root's namespace.
 */
import type { Delegate, HTTPMatchRequest, HTTPRoute, IstioConfig, StringMatch, VirtualServiceSpec } from './types.js';

type VirtualService = IstioConfig<VirtualServiceSpec>;

export function isDelegateVirtualService(vs: VirtualService): boolean {
  return !vs.spec.hosts || vs.spec.hosts.length === 0;
}

function isRootVirtualService(vs: VirtualService): boolean {
  return (vs.spec.http ?? []).some((route) => route.delegate !== undefined);
}

/** Istio's stringMatchConflict: whether a delegate's match can select something the root's does not. */
function stringMatchConflict(root: StringMatch | undefined, leaf: StringMatch | undefined): boolean {
  if (!root || !leaf) return false;
  if (root.regex && (leaf.regex || leaf.prefix || leaf.exact)) return true;
  if (leaf.regex && (root.regex || root.prefix || root.exact)) return true;
  if (root.exact) return Boolean(leaf.prefix) || leaf.exact !== root.exact;
  if (root.prefix) {
    if (leaf.prefix) return !leaf.prefix.startsWith(root.prefix);
    if (leaf.exact) return !leaf.exact.startsWith(root.prefix);
  }
  return true;
}

function mapConflict(root: Readonly<Record<string, StringMatch>> | undefined, leaf: Readonly<Record<string, StringMatch>> | undefined): boolean {
  return Object.entries(leaf ?? {}).some(([key, value]) => stringMatchConflict(root?.[key], value));
}

/** Istio's hasConflict. */
function hasConflict(root: HTTPMatchRequest, leaf: HTTPMatchRequest): boolean {
  const pairs: [StringMatch | undefined, StringMatch | undefined][] = [
    [root.uri, leaf.uri],
    [root.scheme, leaf.scheme],
    [root.method, leaf.method],
    [root.authority, leaf.authority],
  ];
  if (pairs.some(([r, l]) => stringMatchConflict(r, l))) return true;
  if (mapConflict(root.headers, leaf.headers) || mapConflict(root.withoutHeaders, leaf.withoutHeaders) || mapConflict(root.queryParams, leaf.queryParams)) return true;
  if ((root.ignoreUriCase === true) !== (leaf.ignoreUriCase === true)) return true;
  if ((root.port ?? 0) > 0 && (leaf.port ?? 0) > 0 && root.port !== leaf.port) return true;
  if (root.sourceNamespace && leaf.sourceNamespace !== root.sourceNamespace) return true;
  if (Object.entries(leaf.sourceLabels ?? {}).some(([key, value]) => root.sourceLabels?.[key] !== undefined && root.sourceLabels[key] !== value)) return true;
  const rootGateways = root.gateways ?? [];
  const leafGateways = leaf.gateways ?? [];
  if (rootGateways.length > 0 && leafGateways.length > 0) return leafGateways.some((g) => !rootGateways.includes(g));
  return false;
}

function joinNames(root: string | undefined, leaf: string | undefined): string | undefined {
  if (!leaf) return root;
  return root ? `${root}-${leaf}` : leaf;
}

function mergeMaps<V>(root: Readonly<Record<string, V>> | undefined, leaf: Readonly<Record<string, V>> | undefined): Readonly<Record<string, V>> | undefined {
  return root || leaf ? { ...root, ...leaf } : undefined;
}

/** Istio's mergeHTTPMatchRequest: the delegate's conditions, the root's where the delegate has none. */
function mergeMatch(root: HTTPMatchRequest, leaf: HTTPMatchRequest): HTTPMatchRequest {
  const merged: Record<string, unknown> = {
    ...leaf,
    name: joinNames(root.name, leaf.name),
    uri: leaf.uri ?? root.uri,
    scheme: leaf.scheme ?? root.scheme,
    method: leaf.method ?? root.method,
    authority: leaf.authority ?? root.authority,
    headers: mergeMaps(root.headers, leaf.headers),
    withoutHeaders: mergeMaps(root.withoutHeaders, leaf.withoutHeaders),
    queryParams: mergeMaps(root.queryParams, leaf.queryParams),
    port: leaf.port || root.port,
    sourceLabels: mergeMaps(root.sourceLabels, leaf.sourceLabels),
    sourceNamespace: leaf.sourceNamespace || root.sourceNamespace,
    gateways: leaf.gateways && leaf.gateways.length > 0 ? leaf.gateways : root.gateways,
    statPrefix: leaf.statPrefix || root.statPrefix,
  };
  for (const key of Object.keys(merged)) if (merged[key] === undefined || merged[key] === '') delete merged[key];
  return merged as HTTPMatchRequest;
}

/** Istio's mergeHTTPMatchRequests; undefined on conflict (some delegate match fits no root match). */
function mergeMatches(root: readonly HTTPMatchRequest[] | undefined, leaf: readonly HTTPMatchRequest[] | undefined): readonly HTTPMatchRequest[] | undefined | 'conflict' {
  if (!root || root.length === 0) return leaf;
  if (!leaf || leaf.length === 0) return root;
  const out: HTTPMatchRequest[] = [];
  for (const leafMatch of leaf) {
    const fitting = root.filter((rootMatch) => !hasConflict(rootMatch, leafMatch));
    if (fitting.length === 0) return 'conflict';
    for (const rootMatch of fitting) out.push(mergeMatch(rootMatch, leafMatch));
  }
  return out;
}

/** The root route's settings a delegate route inherits when it leaves them unset (Istio's mergeHTTPRoute). */
const INHERITED_FIELDS = ['rewrite', 'directResponse', 'timeout', 'retries', 'fault', 'mirror', 'mirrorPercent', 'mirrorPercentage', 'corsPolicy', 'mirrors', 'headers'] as const;

function mergeRoute(root: HTTPRoute, leaf: HTTPRoute): HTTPRoute | undefined {
  const match = mergeMatches(root.match, leaf.match);
  if (match === 'conflict') return undefined;
  const merged: Record<string, unknown> = { ...leaf };
  if (match) merged['match'] = match;
  const name = joinNames(root.name, leaf.name);
  if (name) merged['name'] = name;
  for (const field of INHERITED_FIELDS) if (leaf[field] === undefined && root[field] !== undefined) merged[field] = root[field];
  return merged as HTTPRoute;
}

function exportedTo(vs: VirtualService, namespace: string): boolean {
  const exportTo = vs.spec.exportTo && vs.spec.exportTo.length > 0 ? vs.spec.exportTo : ['*'];
  return exportTo.some((e) => e === '*' || e === namespace || (e === '.' && vs.meta.namespace === namespace));
}

function delegateRoutes(root: VirtualService, route: HTTPRoute, delegate: Delegate, delegates: ReadonlyMap<string, VirtualService>): HTTPRoute[] {
  const namespace = delegate.namespace || root.meta.namespace;
  const found = delegates.get(`${namespace}/${delegate.name}`);
  if (!found || !exportedTo(found, root.meta.namespace)) return [];
  const { delegate: _replaced, ...rootRoute } = route;
  // One level deep: a delegate's own delegating routes are not followed.
  return (found.spec.http ?? []).filter((r) => r.delegate === undefined).flatMap((r) => mergeRoute(rootRoute, r) ?? []);
}

/**
 * The VirtualServices that route, in the given order: delegates left out,
 * roots with their delegating routes replaced. Objects without delegation
 * are returned as they are.
 */
export function resolveDelegates(virtualServices: readonly VirtualService[]): VirtualService[] {
  const delegates = new Map<string, VirtualService>();
  for (const vs of virtualServices) if (isDelegateVirtualService(vs)) delegates.set(`${vs.meta.namespace}/${vs.meta.name}`, vs);
  return virtualServices
    .filter((vs) => !isDelegateVirtualService(vs))
    .map((vs) => {
      if (!isRootVirtualService(vs)) return vs;
      const http = (vs.spec.http ?? []).flatMap((route) => (route.delegate ? delegateRoutes(vs, route, route.delegate, delegates) : [route]));
      return { meta: vs.meta, spec: { ...vs.spec, http } };
    });
}
