import { describe, expect, it } from 'vitest';
import { problems } from './validate.js';

const pa = (spec: string, annotations = ''): string =>
  `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: finance, namespace: foo${annotations}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;

describe('PeerAuthentication validation', () => {
  it("accepts the examples from Istio's PeerAuthentication reference", () => {
    // https://istio.io/latest/docs/reference/config/security/peer_authentication/
    expect(problems(pa('mtls: {mode: PERMISSIVE}'))).toEqual([]);
    expect(problems(pa('selector:\n  matchLabels: {app: finance}\nmtls: {mode: STRICT}\nportLevelMtls:\n  8080: {mode: DISABLE}'))).toEqual([]);
    expect(problems(pa('selector:\n  matchLabels: {app: finance}\nmtls: {mode: UNSET}\nportLevelMtls:\n  "8080": {mode: DISABLE}'))).toEqual([]);
    expect(problems(pa('{}'))).toEqual([]);
  });

  it('accepts only UNSET, DISABLE, PERMISSIVE and STRICT', () => {
    expect(problems(pa('mtls: {mode: ISTIO_MUTUAL}'))).toEqual(['spec.mtls.mode: unsupported mTLS mode ISTIO_MUTUAL; use UNSET, DISABLE, PERMISSIVE or STRICT']);
    expect(problems(pa('selector: {matchLabels: {app: a}}\nportLevelMtls: {"80": {mode: strict}}'))).toEqual([
      'spec.portLevelMtls.80.mode: unsupported mTLS mode strict; use UNSET, DISABLE, PERMISSIVE or STRICT',
    ]);
  });

  it('allows port-level mTLS only with a workload selector', () => {
    const message = 'spec.portLevelMtls: mesh/namespace peer authentication cannot have port level mTLS';
    expect(problems(pa('mtls: {mode: STRICT}\nportLevelMtls: {"8080": {mode: DISABLE}}'))).toEqual([message]);
    expect(problems(pa('selector: {matchLabels: {}}\nportLevelMtls: {"8080": {mode: DISABLE}}'))).toEqual([message]);
  });

  it('needs port-level mTLS, when given, to be non-empty and keyed by valid ports', () => {
    expect(problems(pa('selector: {matchLabels: {app: a}}\nportLevelMtls: {}'))).toEqual([
      'spec.portLevelMtls: port level mTLS, if defined, must have at least one element',
    ]);
    expect(problems(pa('selector: {matchLabels: {app: a}}\nportLevelMtls: {"0": {mode: DISABLE}, "65536": {mode: DISABLE}, http: {mode: DISABLE}}'))).toEqual([
      'spec.portLevelMtls.0: port must be in range 1..65535',
      'spec.portLevelMtls.65536: port must be in range 1..65535',
      'spec.portLevelMtls.http: port must be in range 1..65535',
    ]);
  });

  it('rejects empty keys and wildcards in the selector', () => {
    expect(problems(pa('selector: {matchLabels: {"": a, "app*": b, version: "v*"}}'))).toEqual([
      'spec.selector.matchLabels: empty key is not supported in selector: "=a"',
      'spec.selector.matchLabels.app*: wildcard is not supported in selector: "app*=b"',
      'spec.selector.matchLabels.version: wildcard is not supported in selector: "version=v*"',
    ]);
  });

  it('rejects the dry-run annotation, which only AuthorizationPolicy supports', () => {
    expect(problems(pa('mtls: {mode: STRICT}', ', annotations: {istio.io/dry-run: "true"}'))).toEqual([
      'metadata.annotations.istio.io/dry-run: foo/finance has unsupported annotation istio.io/dry-run, please remove the annotation',
    ]);
  });
});
