/**
 * SchemaValidationError (IST0106): every object the source left out as
 * invalid, with the validator's field path and reason. Istio runs its
 * validation webhook's checks as this analyzer; tsiod's validators
 * (src/config/validation) are the same checks, already run when the object
 * was read.
 *
 * Only errors that name an object of a kind tsiod reads are schema errors.
 * A document that is not YAML, lacks a kind or name, or is of a kind tsiod
 * does not read is a file problem, which the caller reports apart
 * (isSchemaError tells them apart).
 */
import type { ConfigError } from '../../config-error.js';
import { KINDS } from '../../kinds.js';
import type { Analyzer } from '../context.js';
import { newMessage } from '../message.js';
import { SchemaValidationError } from '../messages.js';

export function isSchemaError(error: ConfigError): boolean {
  return error.kind !== undefined && KINDS.has(error.kind) && error.name !== undefined && error.path !== 'kind';
}

export const schemaValidationAnalyzer: Analyzer = {
  name: 'schema.ValidationAnalyzer',
  description: 'Runs schema validation as an analyzer and reports any violations as messages',
  analyze(context, report) {
    for (const error of context.errors) {
      if (!isSchemaError(error)) continue;
      const resource = { kind: error.kind as string, namespace: error.namespace ?? '', name: error.name as string, source: error.source };
      report(newMessage(SchemaValidationError, resource, error.path ? `${error.path}: ${error.message}` : error.message));
    }
  },
};
