/**
 * Kubernetes Node labels by node name: where Istio reads a Pod's locality
 * (region, zone, subzone) when the Pod's own labels do not name one.
 */
import type { ConfigObject } from '../config/config-object.js';

export class NodeIndex {
  private readonly labelsByName = new Map<string, Readonly<Record<string, string>>>();

  constructor(nodes: Iterable<ConfigObject>) {
    for (const node of nodes) this.labelsByName.set(node.metadata.name, node.metadata.labels);
  }

  /** The Node's labels; undefined when no Node of that name is known. */
  labelsOf(nodeName: string | undefined): Readonly<Record<string, string>> | undefined {
    return nodeName ? this.labelsByName.get(nodeName) : undefined;
  }
}

/** An index with no Nodes (tests, callers that read none). */
export const NO_NODES: NodeIndex = new NodeIndex([]);
