import { describe, expect, it } from 'vitest';
import { DEFAULT_JWT_AUDIENCES, JwtRuleError, parseJwtRule } from '../../../src/ca/authn/jwt-rule.js';

describe('--jwt-rule', () => {
  it('reads issuer, a JWKS URL and audiences, further comma-separated words being more audiences', () => {
    const rule = parseJwtRule('issuer=https://issuer.example,jwks=https://issuer.example/keys,audiences=istio-ca,other');
    expect(rule).toEqual({ issuer: 'https://issuer.example', jwks: { kind: 'url', url: 'https://issuer.example/keys' }, audiences: ['istio-ca', 'other'] });
  });

  it('takes a JWKS file path and defaults the audience to istio-ca, as the issue\'s example asks', () => {
    const rule = parseJwtRule('issuer=tsiod-local, jwks=/var/lib/tsiod/jwks.json');
    expect(rule.jwks).toEqual({ kind: 'file', path: '/var/lib/tsiod/jwks.json' });
    expect(rule.audiences).toEqual(['istio-ca']);
    expect(DEFAULT_JWT_AUDIENCES).toEqual(['istio-ca']);
  });

  it('accepts istiod\'s JSON JWTRule form with jwks_uri', () => {
    const rule = parseJwtRule('{"issuer":"https://accounts.example","jwks_uri":"https://accounts.example/certs","audiences":["istio-ca"]}');
    expect(rule).toEqual({ issuer: 'https://accounts.example', jwks: { kind: 'url', url: 'https://accounts.example/certs' }, audiences: ['istio-ca'] });
  });

  it('accepts an inline JWKS in the JSON form', () => {
    const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] };
    const rule = parseJwtRule(JSON.stringify({ issuer: 'i', jwks: JSON.stringify(jwks) }));
    expect(rule.jwks).toEqual({ kind: 'inline', jwks });
  });

  it.each([
    ['', /empty/],
    ['jwks=https://x/keys', /issuer= is required/],
    ['issuer=https://x', /jwks= is required/],
    ['issuer=https://x,jwks=https://x/k,issuer=https://y', /issuer= is given twice/],
    ['issuer=https://x,jwks=', /jwks= has no value/],
    ['issuer=https://x,bogus=1,jwks=https://x/k', /item 2 is "bogus=1"; expected one of issuer=, jwks=, audiences=/],
    ['issuer=https://x,jwks=https://x/k,,audiences=a', /item 3 is an empty item/],
    ['issuer=https://x,jwks=ftp://x/k', /only http:\/\/ and https:\/\//],
    ['{"issuer":', /not valid JSON/],
    ['{"issuer":"i","jwks_uri":"https://x","audiences":"istio-ca"}', /"audiences" must be a list/],
    ['{"issuer":"i"}', /"jwks_uri" \(or "jwks"\) is required/],
  ])('refuses %j with a message saying what is wrong', (value, message) => {
    expect(() => parseJwtRule(value)).toThrow(JwtRuleError);
    expect(() => parseJwtRule(value)).toThrow(message);
  });

  it('refuses a JWKS holding a private key without echoing it', () => {
    const d = 'c2VjcmV0LXByaXZhdGUtc2NhbGFyLXZhbHVlLWhlcmU';
    const value = JSON.stringify({ issuer: 'i', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d }] } });
    let message = '';
    try {
      parseJwtRule(value);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/private key material/);
    expect(message).not.toContain(d);
  });
});
