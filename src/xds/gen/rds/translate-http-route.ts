/**
 * A VirtualService's http routes → Envoy routes for one listener port, in
 * order: each (route, match) pair becomes one Envoy route, as in Istio.
 */
import type { HTTPMatchRequest, HTTPRoute, IstioConfig, VirtualServiceSpec } from '../../../model/types.js';
import type { RouteContext } from './route-context.js';
import { routeDecorator } from './route-decorator.js';
import { translateRouteAction } from './translate-route-action.js';
import { catchAllMatch, isCatchAllMatch, translateRouteMatch } from './translate-route-match.js';

/**
 * A match applies to this client on this port unless it names another port
 * or other gateways. Matches on sourceLabels are dropped: the route output
 * would then depend on proxy labels, which are not in the generator's key.
 */
function matchApplies(match: HTTPMatchRequest | undefined, context: RouteContext): boolean {
  if (!match) return true;
  if (match.port !== undefined && match.port !== 0 && match.port !== context.listenerPort) return false;
  if (match.gateways && match.gateways.length > 0 && !match.gateways.includes(context.gateway)) return false;
  return !(match.sourceLabels && Object.keys(match.sourceLabels).length > 0);
}

function routeName(route: HTTPRoute, match: HTTPMatchRequest | undefined): string | undefined {
  if (match?.name) return route.name ? `${route.name}.${match.name}` : `.${match.name}`;
  return route.name;
}

function translateOne(
  vs: IstioConfig<VirtualServiceSpec>,
  route: HTTPRoute,
  match: HTTPMatchRequest | undefined,
  context: RouteContext,
): Record<string, unknown> | undefined {
  if (!matchApplies(match, context)) return undefined;
  const action = translateRouteAction(route, context);
  if (!action) return undefined;
  const envoyMatch = match ? translateRouteMatch(match) : catchAllMatch();
  const out: Record<string, unknown> = {};
  const name = routeName(route, match);
  if (name !== undefined) out['name'] = name;
  out['match'] = envoyMatch;
  out['route'] = action;
  out['decorator'] = routeDecorator(envoyMatch, action, vs.meta.name, context.listenerPort);
  return out;
}

export function translateHttpRoutes(vs: IstioConfig<VirtualServiceSpec>, context: RouteContext): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const route of vs.spec.http ?? []) {
    const matches: readonly (HTTPMatchRequest | undefined)[] = route.match && route.match.length > 0 ? route.match : [undefined];
    for (const match of matches) {
      const translated = translateOne(vs, route, match, context);
      if (!translated) continue;
      out.push(translated);
      // Envoy matches in order, so nothing after a catch-all can ever be selected.
      if (isCatchAllMatch(translated['match'] as Record<string, unknown>)) return out;
    }
  }
  return out;
}
