/**
 * Whether a VirtualService match applies to the client the routes are built
 * for (Istio's TranslateRoute port check and sourceMatchHTTP): its port, then
 * its gateways when it names any, else its sourceLabels (all among the
 * client's labels) and sourceNamespace.
 */
import type { HTTPMatchRequest } from '../../../model/types.js';
import type { RouteContext } from './route-context.js';

function labelsContain(labels: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>): boolean {
  return Object.entries(wanted).every(([key, value]) => labels[key] === value);
}

export function matchAppliesToClient(match: HTTPMatchRequest | undefined, context: RouteContext): boolean {
  if (!match) return true;
  if (match.port !== undefined && match.port !== 0 && match.port !== context.listenerPort) return false;
  if (match.gateways && match.gateways.length > 0) return match.gateways.includes(context.gateway);
  if (!labelsContain(context.proxyLabels ?? {}, match.sourceLabels ?? {})) return false;
  return !match.sourceNamespace || match.sourceNamespace === context.proxyNamespace;
}
