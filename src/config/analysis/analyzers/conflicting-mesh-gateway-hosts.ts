/**
 * ConflictingMeshGatewayVirtualServiceHosts (IST0109), Istio's
 * virtualservice.ConflictingMeshGatewayHostsAnalyzer: two VirtualServices
 * bound to the sidecars (no gateways, or "mesh" among them) that define the
 * same host for the same namespaces. Sidecars take one VirtualService per
 * host, so which one wins is undefined.
 *
 * Hosts are keyed "scope/fqdn", the scope being "*" for a VirtualService
 * exported everywhere, else each namespace it is exported to; a host exported
 * to one namespace also conflicts with an overlapping host exported
 * everywhere. The message names the key as Istio prints it
 * ("*\/reviews.default.svc.cluster.local"). Each VirtualService is reported
 * once, for the first conflicting key in sorted order.
 */
import type { ConfigObject } from '../../config-object.js';
import { resourceOf, type Analyzer } from '../context.js';
import { compare, hostsOverlap, toFqdn } from '../hosts.js';
import { specOf, stringsOf } from '../json.js';
import { newMessage } from '../message.js';
import { ConflictingMeshGatewayVirtualServiceHosts } from '../messages.js';

export const conflictingMeshGatewayHostsAnalyzer: Analyzer = {
  name: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
  description: 'Checks if multiple virtual services associated with the mesh gateway have conflicting hosts',
  analyze(context, report) {
    const byScopedHost = new Map<string, ConfigObject[]>();
    for (const vs of context.of('VirtualService')) {
      const spec = specOf(vs);
      const gateways = stringsOf(spec['gateways']);
      if (gateways.length > 0 && !gateways.includes('mesh')) continue;
      const namespace = vs.metadata.namespace;
      const exportTo = stringsOf(spec['exportTo']);
      const scopes = exportTo.length === 0 || exportTo.includes('*') ? ['*'] : [...new Set(exportTo.map((scope) => (scope === '.' ? namespace : scope)))];
      for (const scope of scopes) {
        for (const host of new Set(stringsOf(spec['hosts']))) {
          const key = `${scope}/${toFqdn(host, namespace, context.mesh.domainSuffix)}`;
          const list = byScopedHost.get(key) ?? [];
          if (!list.includes(vs)) list.push(vs);
          byScopedHost.set(key, list);
        }
      }
    }
    const keys = [...byScopedHost.keys()].sort(compare);
    const everywhere = keys.filter((key) => key.startsWith('*/'));
    const reported = new Set<ConfigObject>();
    for (const key of keys) {
      const conflicting = [...(byScopedHost.get(key) ?? [])];
      if (!key.startsWith('*/')) {
        const host = key.slice(key.indexOf('/') + 1);
        for (const other of everywhere) {
          if (!hostsOverlap(host, other.slice(2))) continue;
          for (const vs of byScopedHost.get(other) ?? []) if (!conflicting.includes(vs)) conflicting.push(vs);
        }
      }
      if (conflicting.length < 2) continue;
      const names = conflicting.map((vs) => `${vs.metadata.namespace}/${vs.metadata.name}`).sort(compare).join(',');
      for (const vs of conflicting) {
        if (reported.has(vs)) continue;
        reported.add(vs);
        report(newMessage(ConflictingMeshGatewayVirtualServiceHosts, resourceOf(vs), names, key));
      }
    }
  },
};
