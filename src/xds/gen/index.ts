/** The xDS generators tsiod serves, by type URL. */
import { ClusterType, EndpointType, ListenerType, RouteType, SecretType, type XdsTypeUrl } from '../proto/type-urls.js';
import type { ResourceGenerator } from './generator.js';
import { cdsGenerator } from './cds/cds-generator.js';
import { edsGenerator } from './eds/eds-generator.js';
import { ldsGenerator } from './lds/lds-generator.js';
import { rdsGenerator } from './rds/rds-generator.js';
import { createSdsGenerator, sdsGenerator } from './sds/sds-generator.js';
import type { WorkloadSecretProvider } from './sds/workload-secret-provider.js';

/** What generators read from outside the snapshot, injected by whoever builds them (serve.ts). */
export interface GeneratorDependencies {
  /** Workload certificates and the trust bundle for SDS "default" and "ROOTCA"; without it (no CA) neither exists. */
  readonly workloadSecrets?: WorkloadSecretProvider;
}

export function createGenerators(dependencies: GeneratorDependencies = {}): ReadonlyMap<XdsTypeUrl, ResourceGenerator> {
  return new Map<XdsTypeUrl, ResourceGenerator>([
    [ClusterType, cdsGenerator],
    [EndpointType, edsGenerator],
    [ListenerType, ldsGenerator],
    [RouteType, rdsGenerator],
    [SecretType, dependencies.workloadSecrets ? createSdsGenerator(dependencies.workloadSecrets) : sdsGenerator],
  ]);
}

/** The generators of a tsiod without a CA. */
export const generators: ReadonlyMap<XdsTypeUrl, ResourceGenerator> = createGenerators();

export type { WorkloadSecret, WorkloadSecretProvider } from './sds/workload-secret-provider.js';
export { cdsGenerator, edsGenerator, ldsGenerator, rdsGenerator, sdsGenerator };
