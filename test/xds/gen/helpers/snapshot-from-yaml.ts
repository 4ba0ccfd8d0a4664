/**
 * Reads a golden case's input snapshot: YAML with the MeshSnapshot's fields,
 * where omitted service and endpoint fields take their usual defaults.
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import type {
  DestinationRuleSpec,
  MeshConfig,
  MeshService,
  MeshSnapshot,
  VirtualServiceSpec,
  WorkloadEndpoint,
} from '../../../../src/model/types.js';
import { destinationRule, fqdn, snapshot, virtualService } from './mesh-builder.js';

interface SnapshotYaml {
  mesh?: Partial<MeshConfig>;
  services?: (Partial<MeshService> & { name: string; namespace: string })[];
  endpoints?: Record<string, (Partial<WorkloadEndpoint> & Pick<WorkloadEndpoint, 'address' | 'port' | 'servicePort'>)[]>;
  virtualServices?: { name: string; namespace: string; spec: VirtualServiceSpec }[];
  destinationRules?: { name: string; namespace: string; spec: DestinationRuleSpec }[];
}

function serviceWithDefaults(s: Partial<MeshService> & { name: string; namespace: string }): MeshService {
  return {
    hostname: fqdn(s.name, s.namespace),
    labels: {},
    origin: 'kubernetes',
    resolution: 'EDS',
    meshExternal: false,
    exportTo: ['*'],
    ports: [],
    ...s,
  };
}

export function snapshotFromYaml(file: string): MeshSnapshot {
  const doc = parse(fs.readFileSync(file, 'utf8')) as SnapshotYaml;
  const endpoints: Record<string, WorkloadEndpoint[]> = {};
  for (const [host, list] of Object.entries(doc.endpoints ?? {})) {
    endpoints[host] = list.map((ep) => ({ servicePortName: '', labels: {}, ready: true, ...ep }));
  }
  return snapshot({
    mesh: doc.mesh,
    services: (doc.services ?? []).map(serviceWithDefaults),
    endpoints,
    virtualServices: (doc.virtualServices ?? []).map((v) => virtualService(v.name, v.namespace, v.spec)),
    destinationRules: (doc.destinationRules ?? []).map((d) => destinationRule(d.name, d.namespace, d.spec)),
  });
}
