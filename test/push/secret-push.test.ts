/**
 * Secret pushes as push requests: they reach streams by identity, so merging
 * one with a config push must neither drop its identities nor widen or
 * narrow the config push's namespace scope.
 */
import { describe, expect, it } from 'vitest';
import { endpointPush, fullPush, identityKey, isSecretsOnly, mergePushRequests, scopedPush, secretPush } from '../../src/push/push-request.js';

const rotateA = secretPush({ identities: new Set([identityKey('ns-a', 'sa-a')]), trustBundle: false });
const rotateB = secretPush({ identities: new Set([identityKey('ns-b', 'sa-b')]), trustBundle: false });
const newBundle = secretPush({ identities: new Set(), trustBundle: true });

describe('secret push requests', () => {
  it('change secrets only: not full, no endpoints, reason "secret"', () => {
    expect(isSecretsOnly(rotateA)).toBe(true);
    expect(rotateA.full).toBe(false);
    expect([...rotateA.reasons]).toEqual(['secret']);
    expect(isSecretsOnly(fullPush('config'))).toBe(false);
  });

  it('merge into the union of identities and of trust-bundle changes', () => {
    const merged = mergePushRequests(mergePushRequests(rotateA, rotateB), newBundle);
    expect(isSecretsOnly(merged)).toBe(true);
    expect([...merged.secrets!.identities].sort()).toEqual(['ns-a/sa-a', 'ns-b/sa-b']);
    expect(merged.secrets!.trustBundle).toBe(true);
  });

  it('keep a scoped config push scoped, and stay secret pushes inside any config push', () => {
    const scoped = mergePushRequests(rotateA, scopedPush('config', ['shop']));
    expect([...scoped.namespaces!]).toEqual(['shop']);
    expect(scoped.full).toBe(true);
    expect([...scoped.secrets!.identities]).toEqual(['ns-a/sa-a']);
    expect(mergePushRequests(scopedPush('config', ['shop']), rotateA).namespaces).toEqual(new Set(['shop']));
    const withEndpoints = mergePushRequests(endpointPush(['x']), rotateA);
    expect(withEndpoints.namespaces).toBeUndefined();
    expect(isSecretsOnly(withEndpoints)).toBe(false);
    expect([...withEndpoints.endpointHosts]).toEqual(['x']);
    expect(mergePushRequests(fullPush('config'), rotateA).namespaces).toBeUndefined();
  });
});
