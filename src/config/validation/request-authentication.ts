/**
 * Istio's semantic rules for a RequestAuthentication
 * (ValidateRequestAuthentication, validateJwtRule, plus the CRD's rules): one
 * way of selecting workloads, and on each JWT rule an issuer or a JWKS URI,
 * an http(s) JWKS URI, inline JWKS that parses, non-empty audiences and token
 * locations, valid header names for claims copied to headers, and a timeout
 * of at least 1ms.
 */
import { isJsonObject, type ConfigObject, type JsonObject } from '../config-object.js';
import { ErrorList, type ObjectValidator } from './error-list.js';
import { arrayField, booleanField, enumField, objectField, requiredSpec, stringField, stringList } from './fields.js';
import { durationProblem } from './istio-names.js';
import { checkDryRunAnnotation, checkPolicyTargets } from './policy-target.js';

const PRESENCE = ['OPTIONAL', 'REQUIRED'] as const;
const STRICT_HEADER_NAME = /^[-_A-Za-z0-9]+$/;
/** The CRD's limits. */
const MAX_JWKS_URI_LENGTH = 2048;
const MAX_SPACE_DELIMITED_CLAIMS = 64;

export const validateRequestAuthentication: ObjectValidator = (object: ConfigObject) => {
  const errors = new ErrorList(object);
  checkDryRunAnnotation(errors, object, undefined);
  const spec = requiredSpec(errors, object);
  if (!spec) return errors.list();
  checkPolicyTargets(errors, spec);
  (arrayField(errors, spec['jwtRules'], 'spec.jwtRules') ?? []).forEach((value, i) => {
    // Istio's validateJwtRule passes over a null rule.
    const rule = value === null ? undefined : objectField(errors, value, `spec.jwtRules[${i}]`);
    if (rule) checkJwtRule(errors, rule, `spec.jwtRules[${i}]`);
  });
  return errors.list();
};

function checkJwtRule(errors: ErrorList, rule: JsonObject, path: string): void {
  stringList(errors, rule['audiences'], `${path}.audiences`).forEach((audience, i) => {
    if (audience === '') errors.add(`${path}.audiences[${i}]`, 'audience must be non-empty string');
  });
  const issuer = stringField(errors, rule['issuer'], `${path}.issuer`) ?? '';
  // The JSON name of jwks_uri is jwksUri; protobuf's JSON reader accepts both.
  const uriField = rule['jwksUri'] !== undefined && rule['jwksUri'] !== null ? 'jwksUri' : 'jwks_uri';
  const jwksUri = stringField(errors, rule[uriField], `${path}.${uriField}`) ?? '';
  const jwks = stringField(errors, rule['jwks'], `${path}.jwks`) ?? '';
  if (issuer === '' && jwksUri === '') errors.add(`${path}.issuer`, 'issuer or jwksUri must be non-empty string');
  if (jwksUri !== '') {
    const problem = jwksUriProblem(jwksUri);
    if (problem) errors.add(`${path}.${uriField}`, problem);
  }
  const keySources = ['jwksUri', 'jwks_uri', 'jwks'].filter((field) => rule[field] !== undefined && rule[field] !== null).length;
  if (keySources > 1) errors.add(path, 'only one of jwks or jwksUri can be set');
  if (jwks !== '') {
    const problem = jwksProblem(jwks);
    if (problem) errors.add(`${path}.jwks`, `jwks parse error: ${problem}`);
  }

  (arrayField(errors, rule['fromHeaders'], `${path}.fromHeaders`) ?? []).forEach((value, i) => {
    const headerPath = `${path}.fromHeaders[${i}]`;
    if (value === null) {
      errors.add(headerPath, 'location header name must be non-null');
      return;
    }
    const header = objectField(errors, value, headerPath);
    if (!header) return;
    const name = stringField(errors, header['name'], `${headerPath}.name`) ?? '';
    if (name === '') errors.add(`${headerPath}.name`, 'location header name must be non-empty string');
    stringField(errors, header['prefix'], `${headerPath}.prefix`);
  });
  stringList(errors, rule['fromParams'], `${path}.fromParams`).forEach((param, i) => {
    if (param === '') errors.add(`${path}.fromParams[${i}]`, 'location query must be non-empty string');
  });
  stringList(errors, rule['fromCookies'], `${path}.fromCookies`).forEach((cookie, i) => {
    if (cookie === '') errors.add(`${path}.fromCookies[${i}]`, 'cookie name must be non-empty string');
  });

  (arrayField(errors, rule['outputClaimToHeaders'], `${path}.outputClaimToHeaders`) ?? []).forEach((value, i) => {
    const itemPath = `${path}.outputClaimToHeaders[${i}]`;
    if (value === null) {
      errors.add(itemPath, 'outputClaimToHeaders must not be null');
      return;
    }
    const item = objectField(errors, value, itemPath);
    if (!item) return;
    const header = stringField(errors, item['header'], `${itemPath}.header`) ?? '';
    const claim = stringField(errors, item['claim'], `${itemPath}.claim`) ?? '';
    if (header === '' || claim === '') errors.add(itemPath, 'outputClaimToHeaders header and claim value must be non-empty string');
    else if (!STRICT_HEADER_NAME.test(header)) errors.add(`${itemPath}.header`, `header name ${header} is not a valid header name`);
  });
  stringField(errors, rule['outputPayloadToHeader'], `${path}.outputPayloadToHeader`);
  booleanField(errors, rule['forwardOriginalToken'], `${path}.forwardOriginalToken`);
  enumField(errors, rule['presence'], `${path}.presence`, PRESENCE, 'presence');
  const claims = stringList(errors, rule['spaceDelimitedClaims'], `${path}.spaceDelimitedClaims`);
  if (claims.length > MAX_SPACE_DELIMITED_CLAIMS) errors.add(`${path}.spaceDelimitedClaims`, `must have at most ${MAX_SPACE_DELIMITED_CLAIMS} items`);
  claims.forEach((claim, i) => {
    if (claim === '') errors.add(`${path}.spaceDelimitedClaims[${i}]`, 'claim name must be non-empty string');
  });
  const timeout = stringField(errors, rule['timeout'], `${path}.timeout`);
  if (timeout !== undefined) {
    const problem = durationProblem(timeout);
    if (problem) errors.add(`${path}.timeout`, problem);
  }
}

/** security.ParseJwksURI: an http or https URL (Go's url.Parse lower-cases the scheme). */
function jwksUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_JWKS_URI_LENGTH) return `must be no more than ${MAX_JWKS_URI_LENGTH} characters`;
  if (uri.startsWith(':')) return `parse ${JSON.stringify(uri)}: missing protocol scheme`;
  const scheme = (/^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1] ?? '').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return `URI scheme ${JSON.stringify(scheme)} is not supported`;
  try {
    new URL(uri);
    return undefined;
  } catch {
    return `parse ${JSON.stringify(uri)}: invalid URL`;
  }
}

/** Inline JWKS: a JSON Web Key Set ({"keys": [...]}) or a single JSON Web Key, each key with a "kty". */
function jwksProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `failed to unmarshal JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (!isJsonObject(parsed)) return 'a JWKS must be a JSON object';
  const keys = parsed['keys'];
  if (keys === undefined) return typeof parsed['kty'] === 'string' ? undefined : 'a JSON Web Key needs a "kty"';
  if (!Array.isArray(keys)) return '"keys" must be a list';
  const index = keys.findIndex((key) => !isJsonObject(key) || typeof key['kty'] !== 'string');
  return index < 0 ? undefined : `key ${index} needs a "kty"`;
}
