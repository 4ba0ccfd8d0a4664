/**
 * A VirtualService's http routes → Envoy routes for one listener port, in
 * order: each (route, match) pair becomes one Envoy route, as in Istio's
 * BuildHTTPRoutesForVirtualService and TranslateRoute.
 *
 * Proxyless gRPC gets the same routes less what gRPC rejects: it NACKs a
 * route whose action is not a forwarding one (redirect, direct response) and
 * per-route config for a filter it lacks (CORS), so those are left out.
 */
import type { HTTPMatchRequest, HTTPRoute, IstioConfig, VirtualServiceSpec } from '../../../model/types.js';
import { CORS_FILTER, FAULT_FILTER } from '../common/type-names.js';
import { translateCorsPolicy } from './cors-policy.js';
import { translateDirectResponse } from './direct-response.js';
import { translateFault } from './fault-config.js';
import { appendHeaderChanges, translateHeaders } from './header-operations.js';
import { translateRedirect } from './redirect-action.js';
import type { RouteContext } from './route-context.js';
import { routeDecorator } from './route-decorator.js';
import { matchAppliesToClient } from './source-match.js';
import { translateRouteAction } from './translate-route-action.js';
import { catchAllMatch, isCatchAllMatch, translateRouteMatch } from './translate-route-match.js';

function routeName(route: HTTPRoute, match: HTTPMatchRequest | undefined): string | undefined {
  if (match?.name) return route.name ? `${route.name}.${match.name}` : `.${match.name}`;
  return route.name;
}

/** Sets the route's action (route, redirect or directResponse); false when it gets none and must be dropped. */
function applyAction(out: Record<string, unknown>, route: HTTPRoute, context: RouteContext, authority: string): boolean {
  if (route.redirect) {
    if (context.client === 'proxyless') return false;
    const redirect = translateRedirect(route.redirect, context.listenerPort, context.tls === true);
    if (redirect) out['redirect'] = redirect;
    return redirect !== undefined;
  }
  if (route.directResponse) {
    if (context.client === 'proxyless') return false;
    out['directResponse'] = translateDirectResponse(route.directResponse);
    return true;
  }
  const action = translateRouteAction(route, context, out, authority);
  if (action) out['route'] = action;
  return action !== undefined;
}

function perFilterConfig(route: HTTPRoute, context: RouteContext): Record<string, unknown> | undefined {
  const configs: Record<string, unknown> = {};
  const fault = route.fault ? translateFault(route.fault) : undefined;
  if (fault) configs[FAULT_FILTER] = fault;
  if (route.corsPolicy && context.client === 'envoy') configs[CORS_FILTER] = translateCorsPolicy(route.corsPolicy);
  return Object.keys(configs).length > 0 ? configs : undefined;
}

function translateOne(
  vs: IstioConfig<VirtualServiceSpec>,
  route: HTTPRoute,
  match: HTTPMatchRequest | undefined,
  context: RouteContext,
): Record<string, unknown> | undefined {
  if (!matchAppliesToClient(match, context)) return undefined;
  const envoyMatch = match ? translateRouteMatch(match) : catchAllMatch();
  const out: Record<string, unknown> = {};
  const name = routeName(route, match);
  if (name !== undefined) out['name'] = name;
  out['match'] = envoyMatch;
  if (match?.statPrefix) out['statPrefix'] = match.statPrefix;
  const headers = route.headers ? translateHeaders(route.headers) : undefined;
  if (headers) appendHeaderChanges(out, headers);
  if (!applyAction(out, route, context, headers?.authority ?? '')) return undefined;
  out['decorator'] = routeDecorator(envoyMatch, (out['route'] as Record<string, unknown> | undefined) ?? {}, vs.meta.name, context.listenerPort);
  const typedPerFilterConfig = perFilterConfig(route, context);
  if (typedPerFilterConfig) out['typedPerFilterConfig'] = typedPerFilterConfig;
  return out;
}

export function translateHttpRoutes(vs: IstioConfig<VirtualServiceSpec>, context: RouteContext): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const route of vs.spec.http ?? []) {
    if (!route.match || route.match.length === 0) {
      const translated = translateOne(vs, route, undefined, context);
      if (translated) out.push(translated);
      // A route without match conditions takes every request, even when it could not be translated (Istio stops there too).
      return out;
    }
    for (const match of route.match) {
      const translated = translateOne(vs, route, match, context);
      if (!translated) continue;
      out.push(translated);
      // Envoy matches in order, so nothing after a catch-all can ever be selected.
      if (isCatchAllMatch(translated['match'] as Record<string, unknown>)) return out;
    }
  }
  return out;
}
