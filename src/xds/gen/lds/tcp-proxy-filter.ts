/** A network filter that forwards the whole connection to one cluster. */
import { TCP_PROXY_FILTER, TCP_PROXY_TYPE } from '../common/type-names.js';

export function tcpProxyFilter(cluster: string): Record<string, unknown> {
  return { name: TCP_PROXY_FILTER, typedConfig: { '@type': TCP_PROXY_TYPE, statPrefix: cluster, cluster } };
}
