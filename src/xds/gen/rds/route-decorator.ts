/** The tracing operation name Istio gives a route: "<host>:<port><path>", or the VirtualService name for splits. */
import { parseClusterName } from '../common/cluster-names.js';

function pathDescription(match: Readonly<Record<string, unknown>>): string {
  if (typeof match['prefix'] === 'string') return `${match['prefix']}*`;
  if (typeof match['path'] === 'string') return match['path'];
  const regex = (match['safeRegex'] as { regex?: string } | undefined)?.regex;
  return regex ?? '/*';
}

export function routeDecorator(
  match: Readonly<Record<string, unknown>>,
  action: Readonly<Record<string, unknown>>,
  fallbackName: string,
  listenerPort: number,
): Record<string, unknown> {
  const cluster = typeof action['cluster'] === 'string' ? parseClusterName(action['cluster']) : undefined;
  const target = cluster ? `${cluster.hostname}:${cluster.port}` : `${fallbackName}:${listenerPort}`;
  return { operation: `${target}${pathDescription(match)}` };
}
