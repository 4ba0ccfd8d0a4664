/**
 * Istio's semantic rules for a PeerAuthentication (ValidatePeerAuthentication
 * plus the CRD's enum): known mTLS modes, port-level mTLS only for a policy
 * that selects workloads, non-empty when given, keyed by ports 1..65535, and
 * a selector without wildcards.
 */
import { isJsonObject, type ConfigObject, type JsonValue } from '../config-object.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { enumField, objectField, requiredSpec } from './fields.js';
import { checkDryRunAnnotation, checkWorkloadSelector } from './policy-target.js';

const MTLS_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;

export const validatePeerAuthentication: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  checkDryRunAnnotation(errors, object, undefined);
  const spec = requiredSpec(errors, object);
  if (!spec) return errors.list();
  checkWorkloadSelector(errors, spec['selector'], 'spec.selector');
  checkMtls(errors, spec['mtls'], 'spec.mtls');

  const portLevel = objectField(errors, spec['portLevelMtls'], 'spec.portLevelMtls');
  if (portLevel) {
    const selector = isJsonObject(spec['selector']) ? spec['selector'] : undefined;
    const matchLabels = selector && isJsonObject(selector['matchLabels']) ? selector['matchLabels'] : {};
    const ports = Object.entries(portLevel);
    // A mesh- or namespace-wide policy has no workload, hence no workload port, to refine.
    if (ports.length > 0 && Object.keys(matchLabels).length === 0) {
      errors.add('spec.portLevelMtls', 'mesh/namespace peer authentication cannot have port level mTLS');
    }
    if (ports.length === 0) errors.add('spec.portLevelMtls', 'port level mTLS, if defined, must have at least one element');
    for (const [port, mtls] of ports) {
      const number = /^\d+$/.test(port) ? Number(port) : NaN;
      if (!(number >= 1 && number <= 65535)) errors.add(`spec.portLevelMtls.${port}`, 'port must be in range 1..65535');
      checkMtls(errors, mtls, `spec.portLevelMtls.${port}`);
    }
  }
  return errors.list();
};

function checkMtls(errors: ErrorList, value: JsonValue | undefined, path: string): void {
  const mtls = objectField(errors, value, path);
  if (mtls) enumField(errors, mtls['mode'], `${path}.mode`, MTLS_MODES, 'mTLS mode');
}
