/** Encodes a message as tsiod would and validates what comes off the wire. */
import protobuf from 'protobufjs';
import { envoyType } from '../../../../src/xds/proto/envoy-protos.js';
import { envoyValidator } from '../../../../src/xds/validate/envoy-validator.js';
import { PgvValidator } from '../../../../src/xds/validate/pgv-validator.js';
import type { Violation } from '../../../../src/xds/validate/violation.js';

/** The violations of an Envoy message given as a protobufjs `fromObject` input. */
export function envoyViolations(typeName: string, object: Record<string, unknown>): Violation[] {
  const type = envoyType(typeName);
  return envoyValidator().validateEncoded(type, type.encode(type.fromObject(object)).finish());
}

/** `rule @ path` pairs: what most assertions compare. */
export function rulesAt(violations: readonly Violation[]): string[] {
  return violations.map((v) => `${v.rule} @ ${v.path}`);
}

/**
 * A validator over a proto written in the test, for PGV rules no Envoy
 * message tsiod loads happens to use. protobufjs keeps the options without
 * needing validate.proto itself.
 */
export function syntheticValidator(source: string): { violations(typeName: string, object: Record<string, unknown>): Violation[] } {
  const root = protobuf.parse(`syntax = "proto3"; package test; import "validate/validate.proto"; ${source}`, { keepCase: false }).root;
  for (const wkt of ['any', 'duration', 'timestamp', 'wrappers']) {
    root.addJSON(protobuf.common.get(`google/protobuf/${wkt}.proto`)?.['nested'] ?? {});
  }
  root.resolveAll();
  const validator = new PgvValidator(root);
  return {
    violations(typeName, object) {
      const type = root.lookupType(typeName);
      return validator.validateEncoded(type, type.encode(type.fromObject(object)).finish());
    },
  };
}
