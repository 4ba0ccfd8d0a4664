/**
 * The locality of a Pod's endpoints, by Istio's getPodLocality: the Pod's
 * `topology.istio.io/locality` (or legacy `istio-locality`) label wins,
 * dots standing for slashes as Kubernetes labels cannot hold "/"; otherwise
 * the labels of the Pod's Node (spec.nodeName): topology.kubernetes.io/region
 * and /zone (the deprecated failure-domain.beta.kubernetes.io ones when the
 * GA label is empty) and topology.istio.io/subzone. A known Node without
 * those labels gives no locality, as in Istio.
 *
 * Istio stops there. tsiod goes on only when no Node is known for the Pod
 * (no Pod, not scheduled, or Nodes not read: a config directory usually has
 * none): the EndpointSlice endpoint's zone, which Kubernetes copies from the
 * Node's zone label, and the Pod's own topology labels, so a directory can
 * still describe localities without Node documents.
 */
import { parseLocality } from './locality.js';
import type { NodeIndex } from './node-index.js';
import type { Locality } from './types.js';

export const LOCALITY_LABEL = 'topology.istio.io/locality';
export const LEGACY_LOCALITY_LABEL = 'istio-locality';
export const REGION_LABEL = 'topology.kubernetes.io/region';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const BETA_REGION_LABEL = 'failure-domain.beta.kubernetes.io/region';
export const BETA_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
export const SUBZONE_LABEL = 'topology.istio.io/subzone';

export interface PodLocalityInput {
  /** The Pod's labels ({} without a Pod). */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly nodeName: string | undefined;
  /** The EndpointSlice endpoint's zone, if any. */
  readonly sliceZone: string | undefined;
}

export function podLocality(input: PodLocalityInput, nodes: NodeIndex): Locality | undefined {
  const labelled = localityLabel(input.podLabels);
  if (labelled) return parseLocality(labelled.includes('/') ? labelled : labelled.split('.').join('/'));
  const nodeLabels = nodes.labelsOf(input.nodeName);
  if (nodeLabels) {
    return localityFrom(
      nodeLabels[REGION_LABEL] || nodeLabels[BETA_REGION_LABEL],
      nodeLabels[ZONE_LABEL] || nodeLabels[BETA_ZONE_LABEL],
      nodeLabels[SUBZONE_LABEL],
    );
  }
  return localityFrom(input.podLabels[REGION_LABEL], input.sliceZone ?? input.podLabels[ZONE_LABEL], input.podLabels[SUBZONE_LABEL]);
}

/** Istio's GetLocalityLabel: the first of the two labels present, even if empty (then no label locality). */
function localityLabel(labels: Readonly<Record<string, string>>): string | undefined {
  return labels[LOCALITY_LABEL] ?? labels[LEGACY_LOCALITY_LABEL];
}

function localityFrom(region: string | undefined, zone: string | undefined, subzone: string | undefined): Locality | undefined {
  if (!region && !zone && !subzone) return undefined;
  return { ...(region ? { region } : {}), ...(zone ? { zone } : {}), ...(subzone ? { subzone } : {}) };
}
