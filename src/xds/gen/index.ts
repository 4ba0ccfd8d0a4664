/** The xDS generators tsiod serves, by type URL. */
import { ClusterType, EndpointType, ListenerType, RouteType, SecretType, type XdsTypeUrl } from '../proto/type-urls.js';
import type { ResourceGenerator } from './generator.js';
import { cdsGenerator } from './cds/cds-generator.js';
import { edsGenerator } from './eds/eds-generator.js';
import { ldsGenerator } from './lds/lds-generator.js';
import { rdsGenerator } from './rds/rds-generator.js';
import { sdsGenerator } from './sds/sds-generator.js';

export const generators: ReadonlyMap<XdsTypeUrl, ResourceGenerator> = new Map<XdsTypeUrl, ResourceGenerator>([
  [ClusterType, cdsGenerator],
  [EndpointType, edsGenerator],
  [ListenerType, ldsGenerator],
  [RouteType, rdsGenerator],
  [SecretType, sdsGenerator],
]);

export { cdsGenerator, edsGenerator, ldsGenerator, rdsGenerator, sdsGenerator };
