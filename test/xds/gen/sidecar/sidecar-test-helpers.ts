/** Small accessors for sidecar listener tests; shapes are protobufjs fromObject inputs, as generators write them. */
import { expect } from 'vitest';
import type { ProxyNode } from '../../../../src/model/proxy.js';
import { proxy } from '../helpers/mesh-builder.js';

export type Json = Record<string, unknown>;

/** A sidecar of `app` in `namespace`, as pilot-agent announces it; `overrides` sets metadata-derived fields. */
export function workloadProxy(app: string, namespace = 'default', overrides: Partial<ProxyNode> = {}): ProxyNode {
  return { ...proxy('sidecar', namespace, { app }), ...overrides };
}

export function chains(listener: Json): Json[] {
  return listener['filterChains'] as Json[];
}

export function chainNamed(listener: Json, name: string): Json {
  const found = chains(listener).filter((c) => c['name'] === name);
  expect(found, `chains named ${name}`).toHaveLength(1);
  return found[0] as Json;
}

export function onlyFilter(chain: Json): Json {
  const filters = chain['filters'] as Json[];
  expect(filters).toHaveLength(1);
  return filters[0] as Json;
}

export function typedConfig(chain: Json): Json {
  return onlyFilter(chain)['typedConfig'] as Json;
}

/**
 * Istio's authn SupportedCiphers (pilot/pkg/security/authn/utils), the
 * cipher suites of the mutual TLS a sidecar terminates, written out here
 * from Istio's source rather than taken from tsiod's.
 */
export const ISTIO_SUPPORTED_CIPHERS: readonly string[] = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
];
