/** The validator for tsiod's Envoy protos: one per process, so that compiled rules are shared. */
import { envoyRoot } from '../proto/envoy-protos.js';
import { PgvValidator } from './pgv-validator.js';

let validator: PgvValidator | undefined;

export function envoyValidator(): PgvValidator {
  validator ??= new PgvValidator(envoyRoot());
  return validator;
}
