/**
 * A snapshot as plain JSON and back. The data fields are the snapshot; the
 * indexes and per-port endpoint views are derived, so they are rebuilt on
 * the way back rather than written out. Used to compare snapshots built from
 * different sources, and by tools that want to look at one.
 */
import { deepFreeze } from '../config/deep-freeze.js';
import { FrozenEndpointIndex } from './endpoint-index.js';
import { FrozenMap } from './frozen-map.js';
import { EMPTY_GATEWAY_CREDENTIALS } from './gateway-credentials.js';
import { buildSnapshotIndexes } from './snapshot-indexes.js';
import type { ConfigLists, IstioConfig, MeshConfig, MeshService, MeshSnapshot, WorkloadEndpoint } from './types.js';

export interface SnapshotData extends ConfigLists {
  readonly id: number;
  readonly mesh: MeshConfig;
  /** Sorted by host name. */
  readonly services: readonly MeshService[];
  /** By service host name, keys sorted. */
  readonly endpoints: Readonly<Record<string, readonly WorkloadEndpoint[]>>;
}

export interface SerializeOptions {
  /**
   * Leave out what says where an object came from rather than what it is
   * (meta.source, meta.resourceVersion) and the snapshot id, so snapshots of
   * one mesh read from a directory and from a cluster compare equal.
   */
  readonly contentOnly?: boolean;
}

export function serializeSnapshot(snapshot: MeshSnapshot, options: SerializeOptions = {}): SnapshotData {
  const configs = <S>(list: readonly IstioConfig<S>[]): IstioConfig<S>[] =>
    list.map((c) => {
      if (!options.contentOnly) return c;
      const { source: _source, resourceVersion: _version, ...meta } = c.meta;
      return { meta, spec: c.spec };
    });
  const hosts = [...snapshot.endpoints.hosts()].sort();
  const data: SnapshotData = {
    id: options.contentOnly ? 0 : snapshot.id,
    mesh: snapshot.mesh,
    services: [...snapshot.services.values()],
    endpoints: Object.fromEntries(hosts.map((host) => [host, snapshot.endpoints.get(host) ?? []])),
    virtualServices: configs(snapshot.virtualServices),
    destinationRules: configs(snapshot.destinationRules),
    gateways: configs(snapshot.gateways),
    sidecars: configs(snapshot.sidecars),
    peerAuthentications: configs(snapshot.peerAuthentications),
    authorizationPolicies: configs(snapshot.authorizationPolicies),
    requestAuthentications: configs(snapshot.requestAuthentications),
  };
  // Through JSON so the result shares nothing with the snapshot and drops undefined fields.
  return JSON.parse(JSON.stringify(data)) as SnapshotData;
}

/** A snapshot from its data (serializeSnapshot's output, or hand-built test data); lists left out are empty. */
export function snapshotFromData(data: Partial<SnapshotData> & Pick<SnapshotData, 'mesh'>): MeshSnapshot {
  const frozen = deepFreeze(JSON.parse(JSON.stringify(data)) as Partial<SnapshotData> & Pick<SnapshotData, 'mesh'>);
  const services = new FrozenMap<string, MeshService>(
    [...(frozen.services ?? [])].sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0)).map((s) => [s.hostname, s] as const),
  );
  const endpoints = new FrozenEndpointIndex(Object.entries(frozen.endpoints ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const empty = Object.freeze([]) as readonly never[];
  const lists = {
    virtualServices: frozen.virtualServices ?? empty,
    destinationRules: frozen.destinationRules ?? empty,
    gateways: frozen.gateways ?? empty,
    sidecars: frozen.sidecars ?? empty,
    peerAuthentications: frozen.peerAuthentications ?? empty,
    authorizationPolicies: frozen.authorizationPolicies ?? empty,
    requestAuthentications: frozen.requestAuthentications ?? empty,
  };
  return Object.freeze({
    id: frozen.id ?? 0,
    mesh: frozen.mesh,
    services,
    endpoints,
    ...lists,
    indexes: buildSnapshotIndexes({ rootNamespace: frozen.mesh.rootNamespace, services, ...lists }),
    // Snapshot data never holds Secrets, so a snapshot rebuilt from it has no gateway credentials.
    gatewayCredentials: EMPTY_GATEWAY_CREDENTIALS,
  });
}
