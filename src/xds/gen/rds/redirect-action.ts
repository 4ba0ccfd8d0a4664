/**
 * Istio HTTPRedirect → Envoy RedirectAction (Istio's ApplyRedirect). Envoy
 * cannot derive the port from the request, but a route configuration is
 * built per listener port, so FROM_REQUEST_PORT is that port. An explicit
 * :80 for http or :443 for https is left out.
 */
import type { HTTPRedirect } from '../../../model/types.js';

const RESPONSE_CODES: Readonly<Record<number, string>> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

function redirectPort(redirect: HTTPRedirect, listenerPort: number, tls: boolean): number | undefined {
  let port: number | undefined;
  if (redirect.derivePort === 'FROM_REQUEST_PORT') port = listenerPort;
  else if (redirect.derivePort === undefined && redirect.port !== undefined && redirect.port !== 0) port = redirect.port;
  if (port === undefined) return undefined;
  const scheme = redirect.scheme || (tls ? 'https' : 'http');
  if ((port === 80 && scheme === 'http') || (port === 443 && scheme === 'https')) return undefined;
  return port;
}

/** Undefined for a redirect code Envoy has no enum value for: Istio then gives the route no action, so it is dropped. */
export function translateRedirect(redirect: HTTPRedirect, listenerPort: number, tls: boolean): Record<string, unknown> | undefined {
  const responseCode = RESPONSE_CODES[redirect.redirectCode === undefined || redirect.redirectCode === 0 ? 301 : redirect.redirectCode];
  if (!responseCode) return undefined;
  const out: Record<string, unknown> = {};
  if (redirect.authority) out['hostRedirect'] = redirect.authority;
  if (redirect.uri) out['pathRedirect'] = redirect.uri;
  if (redirect.scheme) out['schemeRedirect'] = redirect.scheme;
  const port = redirectPort(redirect, listenerPort, tls);
  if (port !== undefined) out['portRedirect'] = port;
  out['responseCode'] = responseCode;
  return out;
}
