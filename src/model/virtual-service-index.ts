/**
 * VirtualServices by gateway and visibility, as Istio's virtualServiceIndex
 * keeps them: private to their namespace, exported to named namespaces, or
 * public. A proxy sees its own namespace's first, which is how a namespace
 * overrides a public VirtualService for its own clients. Delegates (no
 * hosts) are not indexed: their routes are merged into the roots that
 * delegate to them.
 */
import { resolveDelegates } from './delegate-virtual-services.js';
import { MESH_GATEWAY } from './gateway-names.js';
import { HostTable } from './host-match.js';
import type { IstioConfig, VirtualServiceSpec } from './types.js';

type VirtualService = IstioConfig<VirtualServiceSpec>;

/** Istio's default when neither the VirtualService nor the mesh config says (defaultVirtualServiceExportTo). */
const DEFAULT_EXPORT_TO: readonly string[] = ['*'];

export class VirtualServiceIndex {
  private readonly publicByGateway = new Map<string, VirtualService[]>();
  /** Key "namespace|gateway": private ones of that namespace, then ones exported to it. */
  private readonly privateByNamespace = new Map<string, VirtualService[]>();
  private readonly exportedToNamespace = new Map<string, VirtualService[]>();
  private readonly hostTables = new Map<string, HostTable<VirtualService>>();

  /** `virtualServices` in snapshot order (oldest first); their gateways already resolved to "namespace/name". */
  constructor(virtualServices: readonly VirtualService[]) {
    for (const vs of resolveDelegates(virtualServices)) {
      const namespace = vs.meta.namespace;
      const gateways = vs.spec.gateways && vs.spec.gateways.length > 0 ? vs.spec.gateways : [MESH_GATEWAY];
      const exportTo = vs.spec.exportTo && vs.spec.exportTo.length > 0 ? vs.spec.exportTo : DEFAULT_EXPORT_TO;
      if (exportTo.includes('*')) {
        for (const gateway of gateways) push(this.publicByGateway, gateway, vs);
        continue;
      }
      if (exportTo.includes('~')) continue;
      for (const target of new Set(exportTo.map((e) => (e === '.' ? namespace : e)))) {
        const table = target === namespace ? this.privateByNamespace : this.exportedToNamespace;
        for (const gateway of gateways) push(table, `${target}|${gateway}`, vs);
      }
    }
  }

  forGateway(proxyNamespace: string, gateway: string): readonly VirtualService[] {
    const key = `${proxyNamespace}|${gateway}`;
    return [...(this.privateByNamespace.get(key) ?? []), ...(this.exportedToNamespace.get(key) ?? []), ...(this.publicByGateway.get(gateway) ?? [])];
  }

  /** Built on first use per (namespace, gateway): proxies of one namespace share it. */
  forHost(proxyNamespace: string, gateway: string, hostname: string): VirtualService | undefined {
    const key = `${proxyNamespace}|${gateway}`;
    let table = this.hostTables.get(key);
    if (!table) {
      table = new HostTable<VirtualService>();
      for (const vs of this.forGateway(proxyNamespace, gateway)) for (const host of vs.spec.hosts) table.addIfAbsent(host, vs);
      this.hostTables.set(key, table);
    }
    return table.mostSpecific(hostname);
  }
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
