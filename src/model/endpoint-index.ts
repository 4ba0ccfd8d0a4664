/**
 * The light endpoint index EDS reads (see EndpointIndex in types.ts). Per
 * host lists are frozen and shared with the previous index when unchanged;
 * per-port and per-subset views are computed on first use and remembered,
 * which does not change what the index answers.
 */
import { FrozenMap } from './frozen-map.js';
import type { EndpointIndex, ServicePort, WorkloadEndpoint } from './types.js';

/** Endpoints name the port they serve; unnamed ports are matched by number. */
export function endpointServesPort(endpoint: WorkloadEndpoint, port: ServicePort): boolean {
  if (port.name !== '' && endpoint.servicePortName !== '') return endpoint.servicePortName === port.name;
  return endpoint.servicePort === port.port;
}

export function labelsMatch(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const key of Object.keys(selector)) if (labels[key] !== selector[key]) return false;
  return true;
}

const NONE: readonly WorkloadEndpoint[] = Object.freeze([]);

export class FrozenEndpointIndex implements EndpointIndex {
  private readonly byHost: FrozenMap<string, readonly WorkloadEndpoint[]>;
  private readonly views = new Map<string, readonly WorkloadEndpoint[]>();

  /** `entries` sorted by host; each list already frozen. */
  constructor(entries: Iterable<readonly [string, readonly WorkloadEndpoint[]]>) {
    this.byHost = new FrozenMap(entries);
    Object.freeze(this);
  }

  get size(): number {
    return this.byHost.size;
  }

  get(hostname: string): readonly WorkloadEndpoint[] | undefined {
    return this.byHost.get(hostname);
  }

  hosts(): Iterable<string> {
    return this.byHost.keys();
  }

  entries(): Iterable<readonly [string, readonly WorkloadEndpoint[]]> {
    return this.byHost.entries();
  }

  forPort(hostname: string, port: ServicePort): readonly WorkloadEndpoint[] {
    return this.view(`${hostname}|${port.name}|${port.port}`, () => (this.byHost.get(hostname) ?? NONE).filter((e) => endpointServesPort(e, port)));
  }

  select(hostname: string, port: ServicePort, subsetLabels?: Readonly<Record<string, string>>): readonly WorkloadEndpoint[] {
    const labelKey = subsetLabels ? JSON.stringify(Object.entries(subsetLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : '';
    return this.view(`${hostname}|${port.name}|${port.port}|ready|${labelKey}`, () =>
      this.forPort(hostname, port).filter((e) => e.ready && labelsMatch(subsetLabels, e.labels)),
    );
  }

  private view(key: string, compute: () => WorkloadEndpoint[]): readonly WorkloadEndpoint[] {
    let found = this.views.get(key);
    if (!found) {
      found = Object.freeze(compute());
      this.views.set(key, found);
    }
    return found;
  }
}
