/**
 * Finds the Pod behind an endpoint: by the endpoint's targetRef, else by IP
 * when exactly one Pod has it (a stale Pod with a reused IP must not lend
 * its labels to a new workload).
 */
import type { ConfigObject } from '../config/config-object.js';
import { contentOf, type KubeObjectReference, type KubePodContent } from './kube-objects.js';

export class PodIndex {
  private readonly byName = new Map<string, ConfigObject>();
  private readonly byIp = new Map<string, ConfigObject | null>();

  constructor(pods: Iterable<ConfigObject>) {
    for (const pod of pods) {
      this.byName.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod);
      const status = contentOf<KubePodContent>(pod).status;
      const ips = new Set<string>();
      if (status?.podIP) ips.add(status.podIP);
      for (const entry of status?.podIPs ?? []) if (entry.ip) ips.add(entry.ip);
      // null marks an IP shared by several Pods: ambiguous, so unusable.
      for (const ip of ips) this.byIp.set(ip, this.byIp.has(ip) ? null : pod);
    }
  }

  find(ref: KubeObjectReference | undefined, namespace: string, ip: string): ConfigObject | undefined {
    if (ref?.kind === 'Pod' && ref.name) {
      const pod = this.byName.get(`${ref.namespace || namespace}/${ref.name}`);
      if (pod) return pod;
    }
    return this.byIp.get(ip) ?? undefined;
  }
}
