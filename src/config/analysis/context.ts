/**
 * What an analyzer sees: the config objects by kind (each list sorted by
 * namespace then name, so output never depends on input order), the mesh
 * settings, and indexes several analyzers share, built on first use.
 */
import type { ConfigObject } from '../config-object.js';
import type { ConfigError } from '../config-error.js';
import { compare, ServiceIndex } from './hosts.js';
import { specOf, stringMap } from './json.js';
import type { AnalysisMessage, MessageResource } from './message.js';
import { selects } from './selectors.js';

/** The mesh settings analysis reads (a subset of the model's MeshConfig, which src/config cannot import). */
export interface AnalysisMesh {
  /** "cluster.local" */
  readonly domainSuffix: string;
  /** Istio's own namespace, "istio-system": not checked for injection. */
  readonly rootNamespace: string;
}

export const DEFAULT_ANALYSIS_MESH: AnalysisMesh = Object.freeze({ domainSuffix: 'cluster.local', rootNamespace: 'istio-system' });

export interface AnalysisInput {
  /** Every valid config object (e.g. ConfigStore.objects().values()). */
  readonly objects: Iterable<ConfigObject>;
  /** The source's errors: objects left out as invalid become SchemaValidationError (IST0106). */
  readonly errors?: readonly ConfigError[];
  readonly mesh?: AnalysisMesh;
  /**
   * Kinds the source could not read (a cluster that forbids listing Secrets):
   * an analyzer does not call a reference to them missing.
   */
  readonly unreadableKinds?: ReadonlySet<string>;
  /** For certificate validity; default now. */
  readonly now?: Date;
}

export class AnalysisContext {
  readonly mesh: AnalysisMesh;
  readonly errors: readonly ConfigError[];
  readonly now: Date;
  private readonly byKind = new Map<string, ConfigObject[]>();
  private readonly byKey = new Map<string, ConfigObject>();
  private readonly byNamespace = new Map<string, Map<string, ConfigObject[]>>();
  /** kind → "namespace\0key=value" (and "\0key=value" for every namespace) → objects with that label. */
  private readonly byLabel = new Map<string, Map<string, ConfigObject[]>>();
  private readonly unreadable: ReadonlySet<string>;
  private services: ServiceIndex | undefined;

  constructor(input: AnalysisInput, objects: readonly ConfigObject[]) {
    this.mesh = input.mesh ?? DEFAULT_ANALYSIS_MESH;
    this.errors = input.errors ?? [];
    this.now = input.now ?? new Date();
    this.unreadable = input.unreadableKinds ?? new Set();
    for (const object of objects) {
      const list = this.byKind.get(object.kind) ?? [];
      list.push(object);
      this.byKind.set(object.kind, list);
      this.byKey.set(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`, object);
    }
    for (const list of this.byKind.values()) list.sort((a, b) => compare(a.metadata.namespace, b.metadata.namespace) || compare(a.metadata.name, b.metadata.name));
  }

  /** Every object of the kind, sorted by namespace then name. */
  of(kind: string): readonly ConfigObject[] {
    return this.byKind.get(kind) ?? [];
  }

  /** The objects of the kind in one namespace, sorted by name. */
  inNamespace(kind: string, namespace: string): readonly ConfigObject[] {
    let namespaces = this.byNamespace.get(kind);
    if (!namespaces) {
      namespaces = new Map();
      for (const object of this.of(kind)) {
        const list = namespaces.get(object.metadata.namespace) ?? [];
        list.push(object);
        namespaces.set(object.metadata.namespace, list);
      }
      this.byNamespace.set(kind, namespaces);
    }
    return namespaces.get(namespace) ?? [];
  }

  /**
   * The workloads of the kind (Pod, WorkloadEntry) whose labels the selector
   * selects, in `namespace` or, when it is undefined, in every namespace;
   * sorted by namespace then name. An empty selector selects them all.
   */
  select(kind: string, selector: Readonly<Record<string, string>>, namespace?: string): readonly ConfigObject[] {
    const entries = Object.entries(selector);
    if (entries.length === 0) return namespace === undefined ? this.of(kind) : this.inNamespace(kind, namespace);
    const index = this.labelIndex(kind);
    let smallest: readonly ConfigObject[] | undefined;
    for (const [key, value] of entries) {
      const candidates = index.get(`${namespace ?? ''}\0${key}=${value}`) ?? [];
      if (smallest === undefined || candidates.length < smallest.length) smallest = candidates;
    }
    return (smallest ?? []).filter((object) => selects(selector, workloadLabels(object)));
  }

  get(kind: string, namespace: string, name: string): ConfigObject | undefined {
    return this.byKey.get(`${kind}/${namespace}/${name}`);
  }

  /** False when the source could not list the kind: its absence proves nothing. */
  canRead(kind: string): boolean {
    return !this.unreadable.has(kind);
  }

  private labelIndex(kind: string): Map<string, ConfigObject[]> {
    let index = this.byLabel.get(kind);
    if (index) return index;
    index = new Map();
    for (const object of this.of(kind)) {
      for (const [key, value] of Object.entries(workloadLabels(object))) {
        for (const scope of [object.metadata.namespace, '']) {
          const id = `${scope}\0${key}=${value}`;
          const list = index.get(id) ?? [];
          list.push(object);
          index.set(id, list);
        }
      }
    }
    this.byLabel.set(kind, index);
    return index;
  }

  /** Kubernetes Services and ServiceEntry hosts, by the namespaces that see them. */
  serviceIndex(): ServiceIndex {
    this.services ??= new ServiceIndex(this.of('ServiceEntry'), this.of('Service'), this.mesh.domainSuffix);
    return this.services;
  }
}

/** The labels selectors match: a WorkloadEntry's spec.labels, any other object's metadata.labels. */
export function workloadLabels(object: ConfigObject): Readonly<Record<string, string>> {
  return object.kind === 'WorkloadEntry' ? stringMap(specOf(object)['labels']) : object.metadata.labels;
}

/** The resource a message about `object` names. */
export function resourceOf(object: ConfigObject): MessageResource {
  return {
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name,
    source: object.source,
    annotations: object.metadata.annotations,
  };
}

export type Report = (message: AnalysisMessage) => void;

/** One check, named as Istio names its counterpart ("virtualservice.GatewayAnalyzer") where there is one. */
export interface Analyzer {
  readonly name: string;
  readonly description: string;
  analyze(context: AnalysisContext, report: Report): void;
}
