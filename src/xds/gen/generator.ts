/**
 * The contract every xDS generator meets: a pure function of a snapshot and a
 * key. The key names every proxy attribute the output depends on, and the
 * generator is handed only the key, never the proxy: a forgotten input cannot
 * leak one proxy's config into another's cache entry.
 */
import type { MeshSnapshot } from '../../model/types.js';
import type { ProxyNode } from '../../model/proxy.js';
import type { SecretChange } from '../../push/push-request.js';
import type { XdsTypeUrl } from '../proto/type-urls.js';

/**
 * One resource, as a protobufjs `fromObject` input: Envoy's JSON field names in
 * camelCase, enums as strings, durations as {seconds, nanos}, and Any as an
 * object with "@type" and the message's fields.
 */
export interface GeneratedResource {
  readonly name: string;
  readonly resource: Readonly<Record<string, unknown>>;
}

/** A plain, JSON-serialisable key: equal keys get identical output. */
export type GeneratorKey = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export interface ResourceGenerator<K extends GeneratorKey = GeneratorKey> {
  readonly typeUrl: XdsTypeUrl;
  /**
   * Projects a proxy onto exactly the attributes this generator reads. It
   * may consult the snapshot's indexes to map proxies that must get the same
   * output onto one key (namespaces with the same DestinationRule view); the
   * cache asks again after every full push.
   */
  keyOf(proxy: ProxyNode, snapshot: MeshSnapshot): K;
  /**
   * With `names` undefined: every resource this key sees (what a wildcard
   * subscriber gets). With `names`: those of them that exist, which for
   * on-demand types (a gRPC client's listener named by the host it dials)
   * may include names outside the wildcard set. Names that do not exist are
   * simply absent from the result.
   */
  generate(snapshot: MeshSnapshot, key: K, names?: ReadonlySet<string>): GeneratedResource[];
  /**
   * For endpoint-only pushes: the resource names whose content depends on the
   * endpoints of `hosts`. Generators that do not read endpoints leave this out
   * and are not re-run on such pushes.
   */
  affectedByEndpoints?(snapshot: MeshSnapshot, key: K, hosts: ReadonlySet<string>): ReadonlySet<string>;
  /**
   * For secret pushes (certificates and trust bundles live outside the
   * snapshot): the resource names of this key that `change` makes stale.
   * Generators that serve no such secrets leave this out.
   */
  affectedBySecrets?(key: K, change: SecretChange): ReadonlySet<string>;
}
