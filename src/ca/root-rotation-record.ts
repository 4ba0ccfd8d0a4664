/**
 * How a root rotation in progress is written beside the self-signed CA, the
 * same in a state directory (files) and in Secret istio-ca-secret (keys).
 * These are tsiod's additions to istiod's layout, which istiod ignores:
 *
 *   ca-cert.pem, ca-key.pem   the root that signs now and its key (istiod's)
 *   root-cert.pem             the whole trust bundle, in the order served:
 *                             during a rotation the new root and the old one
 *                             (istiod's rotator likewise leaves root-cert.pem
 *                             holding a root other than ca-cert.pem's)
 *   next-ca-cert.pem,         the new root and its key while it is trusted
 *   next-ca-key.pem           but does not sign yet (phase "introduced")
 *   root-rotation.json        the phase and when the next step is due:
 *     {"phase":"introduced","introducedAt":…,"activateAt":…}
 *     {"phase":"activated","activatedAt":…,"retireAt":…,"retiringRootsSha256":[…]}
 *
 * From these any replica rebuilds the same CA: ca-cert.pem signs, root-cert.pem
 * is the bundle, next-ca-* is ready to activate.
 */
import { createHash } from 'node:crypto';
import type { RootRotation, SelfSignedCaState } from './ca-store.js';
import { pemCertificates } from './pem.js';
import { InvalidCaMaterialError } from './validate-key-material.js';

export const NEXT_CA_CERT_FILE = 'next-ca-cert.pem';
export const NEXT_CA_KEY_FILE = 'next-ca-key.pem';
export const ROOT_ROTATION_FILE = 'root-rotation.json';

/** SHA-256 of a certificate's DER, lower-case hex: how a retiring root is named in root-rotation.json. */
export function certificateSha256(pem: string): string {
  const [der] = pemCertificates(pem);
  if (der === undefined) throw new InvalidCaMaterialError('no PEM CERTIFICATE to fingerprint');
  return createHash('sha256').update(der).digest('hex');
}

export function encodeRootRotation(r: RootRotation): string {
  const json =
    r.phase === 'introduced'
      ? { phase: r.phase, introducedAt: r.introducedAt.toISOString(), activateAt: r.activateAt.toISOString() }
      : { phase: r.phase, activatedAt: r.activatedAt.toISOString(), retireAt: r.retireAt.toISOString(), retiringRootsSha256: [...r.retiringRootsSha256] };
  return `${JSON.stringify(json)}\n`;
}

/** Parses root-rotation.json; `where` names the file or Secret key in errors. */
export function decodeRootRotation(text: string, where: string): RootRotation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidCaMaterialError(`${where}: not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidCaMaterialError(`${where}: not a JSON object`);
  const fields = parsed as Record<string, unknown>;
  const time = (name: string): Date => {
    const value = fields[name];
    const date = typeof value === 'string' ? new Date(value) : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) throw new InvalidCaMaterialError(`${where}: ${name} is not an RFC 3339 time`);
    return date;
  };
  switch (fields['phase']) {
    case 'introduced':
      return { phase: 'introduced', introducedAt: time('introducedAt'), activateAt: time('activateAt') };
    case 'activated': {
      const retiring = fields['retiringRootsSha256'];
      if (!Array.isArray(retiring) || !retiring.every((h): h is string => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) {
        throw new InvalidCaMaterialError(`${where}: retiringRootsSha256 is not a list of SHA-256 hex digests`);
      }
      return { phase: 'activated', activatedAt: time('activatedAt'), retireAt: time('retireAt'), retiringRootsSha256: retiring };
    }
    default:
      throw new InvalidCaMaterialError(`${where}: phase must be "introduced" or "activated"`);
  }
}

/**
 * The rules a stored state keeps, checked before writing and after reading:
 * a self-signed root signs; a root waits for activation exactly in phase
 * "introduced", and it is in the bundle already. `where` names the store.
 */
export function checkSelfSignedState(state: SelfSignedCaState, where: string): void {
  const { active, introduced, rotation } = state;
  if (active.source !== 'self-signed' || active.intermediatesPem.length > 0) throw new InvalidCaMaterialError(`${where}: only a self-signed root (no intermediates) is stored here`);
  const bundle = new Set(active.rootCertsPem.map(certificateSha256));
  if (!bundle.has(certificateSha256(active.signingCertPem))) throw new InvalidCaMaterialError(`${where}: the signing root is not in the trust bundle`);
  if ((introduced !== undefined) !== (rotation?.phase === 'introduced')) {
    throw new InvalidCaMaterialError(`${where}: ${introduced ? `${NEXT_CA_CERT_FILE} is present but the rotation is not in phase "introduced"` : `the rotation is in phase "introduced" but ${NEXT_CA_CERT_FILE} is missing`}`);
  }
  if (introduced !== undefined) {
    if (introduced.source !== 'self-signed' || introduced.intermediatesPem.length > 0) throw new InvalidCaMaterialError(`${where}: ${NEXT_CA_CERT_FILE} must be a self-signed root`);
    if (!bundle.has(certificateSha256(introduced.signingCertPem))) throw new InvalidCaMaterialError(`${where}: the root in ${NEXT_CA_CERT_FILE} is not in the trust bundle`);
  }
}
