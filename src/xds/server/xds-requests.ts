/** xDS requests as the streams see them, once decoded. */
import type { XdsNode } from '../../model/proxy.js';

export interface ErrorDetail {
  readonly code: number;
  readonly message: string;
}

export interface SotwRequest {
  readonly versionInfo: string;
  readonly node?: XdsNode;
  readonly resourceNames: readonly string[];
  /** Equal for two requests exactly when their resource_names are equal (same names, same order). */
  readonly resourceNamesKey: string;
  readonly typeUrl: string;
  readonly responseNonce: string;
  readonly errorDetail?: ErrorDetail;
}

export interface DeltaRequest {
  readonly node?: XdsNode;
  readonly typeUrl: string;
  readonly subscribe: readonly string[];
  readonly unsubscribe: readonly string[];
  readonly initialResourceVersions: Readonly<Record<string, string>>;
  readonly responseNonce: string;
  readonly errorDetail?: ErrorDetail;
}
