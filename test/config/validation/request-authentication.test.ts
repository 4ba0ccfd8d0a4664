import { describe, expect, it } from 'vitest';
import { problems } from './validate.js';

const ra = (spec: string): string =>
  `apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: httpbin, namespace: foo}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
const rule = (fields: string): string => ra(`jwtRules:\n  - ${fields}`);

describe('RequestAuthentication validation', () => {
  it("accepts the examples from Istio's RequestAuthentication reference", () => {
    // https://istio.io/latest/docs/reference/config/security/request_authentication/
    const spec = `selector:
  matchLabels: {app: httpbin}
jwtRules:
  - issuer: issuer-foo
    jwksUri: https://example.com/.well-known/jwks.json
    audiences: [bookstore_android.apps.example.com]
    outputPayloadToHeader: x-jwt-payload
    fromHeaders: [{name: x-jwt-assertion, prefix: "Bearer "}]
    fromParams: [my_token]
    fromCookies: [auth-token]
    outputClaimToHeaders: [{header: x-jwt-claim-foo, claim: foo}]
    forwardOriginalToken: true
    timeout: 5s
  - issuer: issuer-bar
    jwks: '{"keys":[{"kty":"RSA","e":"AQAB","n":"xAE7eB6qugXyCAG3yhh7pkDkT65pHymX-P7KfIupjf59vsdo91bSP9C8H07pSAGQO1MV_xFj9VswgsCg4R6otmg5PV2He95lZdHtOcU5DXIg_pbhLdKXbi66GlVeK6ABZOUW3WYtnNHD-91gVuoeJT_DwtGGcp4ignkgXfkiEm4sw-4sfb4qdt5oLbyVpmW6x9cfa7vs2WTfURiCrBoUqgBo_-4WTiULmmHSGZHOjzwa8WtrtOQGsAFjIbno85jp6MnGGGZPYZbDAa_b3y5u-YpW7ypZrvD8BgtKVjgtQgZhLAGezMt0ua3DRrWnKqTZ0BJ_EyxOGuHJrLsn00fnMQ"}]}'
    presence: REQUIRED
  - jwksUri: http://keys.example.com:8080/jwks`;
    expect(problems(ra(spec))).toEqual([]);
    expect(problems(ra('targetRef: {kind: Gateway, group: gateway.networking.k8s.io, name: ingress}\njwtRules: [{issuer: a}]'))).toEqual([]);
  });

  it('needs an issuer or a JWKS URI', () => {
    expect(problems(rule('{audiences: [a]}'))).toEqual(['spec.jwtRules[0].issuer: issuer or jwksUri must be non-empty string']);
    expect(problems(rule('{issuer: ""}'))).toEqual(['spec.jwtRules[0].issuer: issuer or jwksUri must be non-empty string']);
  });

  it('needs an http or https JWKS URI', () => {
    expect(problems(rule('{issuer: a, jwksUri: example.com/jwks}'))).toEqual(['spec.jwtRules[0].jwksUri: URI scheme "" is not supported']);
    expect(problems(rule('{issuer: a, jwksUri: "ftp://example.com/jwks"}'))).toEqual(['spec.jwtRules[0].jwksUri: URI scheme "ftp" is not supported']);
    expect(problems(rule('{issuer: a, jwks_uri: "file:///etc/jwks"}'))).toEqual(['spec.jwtRules[0].jwks_uri: URI scheme "file" is not supported']);
    expect(problems(rule('{issuer: a, jwksUri: "http://[::1/jwks"}'))).toEqual(['spec.jwtRules[0].jwksUri: parse "http://[::1/jwks": invalid URL']);
  });

  it('takes keys from one place only, and needs inline keys to parse', () => {
    expect(problems(rule('{issuer: a, jwksUri: "https://a.com/jwks", jwks: \'{"keys": []}\'}'))).toEqual([
      'spec.jwtRules[0]: only one of jwks or jwksUri can be set',
    ]);
    expect(problems(rule("{issuer: a, jwks: 'not json'}"))[0]).toMatch(/^spec\.jwtRules\[0\]\.jwks: jwks parse error: failed to unmarshal JSON: /);
    expect(problems(rule('{issuer: a, jwks: \'{"keys": [{"e": "AQAB"}]}\'}'))).toEqual(['spec.jwtRules[0].jwks: jwks parse error: key 0 needs a "kty"']);
  });

  it('rejects empty audiences, token locations and claim names', () => {
    const spec = '{issuer: a, audiences: [""], fromHeaders: [{name: ""}, {prefix: x}, null], fromParams: [""], fromCookies: [""], spaceDelimitedClaims: [""]}';
    expect(problems(rule(spec))).toEqual([
      'spec.jwtRules[0].audiences[0]: audience must be non-empty string',
      'spec.jwtRules[0].fromHeaders[0].name: location header name must be non-empty string',
      'spec.jwtRules[0].fromHeaders[1].name: location header name must be non-empty string',
      'spec.jwtRules[0].fromHeaders[2]: location header name must be non-null',
      'spec.jwtRules[0].fromParams[0]: location query must be non-empty string',
      'spec.jwtRules[0].fromCookies[0]: cookie name must be non-empty string',
      'spec.jwtRules[0].spaceDelimitedClaims[0]: claim name must be non-empty string',
    ]);
  });

  it('checks claims copied to headers', () => {
    expect(problems(rule('{issuer: a, outputClaimToHeaders: [{header: x-foo}, {header: "x foo", claim: foo}, null]}'))).toEqual([
      'spec.jwtRules[0].outputClaimToHeaders[0]: outputClaimToHeaders header and claim value must be non-empty string',
      'spec.jwtRules[0].outputClaimToHeaders[1].header: header name x foo is not a valid header name',
      'spec.jwtRules[0].outputClaimToHeaders[2]: outputClaimToHeaders must not be null',
    ]);
  });

  it('checks the shape of outputPayloadToHeader, presence and timeout', () => {
    expect(problems(rule('{issuer: a, outputPayloadToHeader: [x-jwt], presence: MAYBE, timeout: 0.5ms}'))).toEqual([
      'spec.jwtRules[0].outputPayloadToHeader: must be a string',
      'spec.jwtRules[0].presence: unsupported presence MAYBE; use OPTIONAL or REQUIRED',
      'spec.jwtRules[0].timeout: duration must be greater than 1ms',
    ]);
    expect(problems(rule('{issuer: a, timeout: 1500us}'))).toEqual(['spec.jwtRules[0].timeout: only durations to ms precision are supported']);
  });

  it('allows one of selector, targetRef and targetRefs, and no wildcard in the selector', () => {
    expect(problems(ra('selector: {matchLabels: {app: "*"}}\ntargetRefs: [{kind: Service, name: a}]'))).toEqual([
      'spec: only one of targetRefs or workloadSelector can be set',
      'spec.selector.matchLabels.app: wildcard is not supported in selector: "app=*"',
    ]);
  });
});
