/**
 * Typed views of the raw objects the snapshot builder reads. The validators
 * in src/config/validation check every field listed here, so a stored
 * object's content can be read through these types.
 */
import type { ConfigObject } from '../config/config-object.js';

export interface KubeServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: number | string;
  readonly protocol?: string;
  readonly appProtocol?: string;
}

export interface KubeServiceSpec {
  readonly ports?: readonly KubeServicePort[];
  readonly selector?: Readonly<Record<string, string>>;
  readonly clusterIP?: string;
}

export interface KubeObjectReference {
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

export interface KubeSliceEndpoint {
  readonly addresses: readonly string[];
  readonly conditions?: { readonly ready?: boolean };
  readonly targetRef?: KubeObjectReference;
  readonly zone?: string;
  readonly nodeName?: string;
}

export interface KubeSlicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: string;
}

export interface KubeEndpointSliceContent {
  readonly addressType: string;
  readonly endpoints?: readonly KubeSliceEndpoint[];
  readonly ports?: readonly KubeSlicePort[];
}

export interface KubeEndpointAddress {
  readonly ip: string;
  readonly targetRef?: KubeObjectReference;
  readonly nodeName?: string;
}

export interface KubeEndpointsSubset {
  readonly addresses?: readonly KubeEndpointAddress[];
  readonly notReadyAddresses?: readonly KubeEndpointAddress[];
  readonly ports?: readonly KubeSlicePort[];
}

export interface KubeEndpointsContent {
  readonly subsets?: readonly KubeEndpointsSubset[];
}

export interface KubePodContent {
  readonly spec?: { readonly serviceAccountName?: string; readonly nodeName?: string };
  readonly status?: { readonly podIP?: string; readonly podIPs?: readonly { readonly ip?: string }[] };
}

export interface ServiceEntryPort {
  readonly number: number;
  readonly name: string;
  readonly protocol?: string;
  readonly targetPort?: number;
}

export interface ServiceEntryEndpoint {
  readonly address: string;
  readonly ports?: Readonly<Record<string, number>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly weight?: number;
  readonly locality?: string;
  readonly network?: string;
}

export interface ServiceEntrySpec {
  readonly hosts: readonly string[];
  readonly addresses?: readonly string[];
  readonly ports: readonly ServiceEntryPort[];
  readonly location?: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
  readonly resolution?: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN';
  readonly endpoints?: readonly ServiceEntryEndpoint[];
  readonly exportTo?: readonly string[];
}

/** The object's `spec`, typed; an absent spec reads as an empty object. */
export function specOf<Spec>(object: ConfigObject): Spec {
  return (object.content['spec'] ?? {}) as unknown as Spec;
}

/** The whole content, typed (EndpointSlice and Endpoints keep their data at the top level). */
export function contentOf<Content>(object: ConfigObject): Content {
  return object.content as unknown as Content;
}
