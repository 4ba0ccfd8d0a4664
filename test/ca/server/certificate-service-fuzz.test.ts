import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientCertificateAuthenticator } from '../../../src/ca/authn/client-certificate-authenticator.js';
import { LocalTokenIssuer } from '../../../src/ca/authn/local-token-issuer.js';
import { startCaTestServer, type CaTestClient, type CaTestServer, type CallOutcome } from './ca-test-server.js';
import { opensslCsr, type OpensslCsr } from './openssl.js';
import { seededRandom } from '../../helpers/seeded-random.js';

const prng = seededRandom;

const PRIVATE_KEY_MARKER = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const SEED = 20_260_106;

function bytes(random: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
}

function fuzzedCsrs(random: () => number, valid: OpensslCsr): Array<[string, string]> {
  const pem = valid.csrPem;
  const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(body, 'base64');
  const wrap = (b: Buffer): string => `-----BEGIN CERTIFICATE REQUEST-----\n${b.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  const out: Array<[string, string]> = [
    ['random bytes as text', bytes(random, 300).toString('latin1')],
    ['random bytes in a PEM wrapper', wrap(bytes(random, 400))],
    ['a huge CSR field (1 MiB)', 'A'.repeat(1024 * 1024)],
    ['a huge PEM body', wrap(bytes(random, 200_000))],
    ['the PEM with no END line', pem.slice(0, pem.indexOf('-----END'))],
    ['the client\'s private key instead of its CSR', valid.keyPem],
    ['a certificate request label over a private key', valid.keyPem.replaceAll('PRIVATE KEY', 'CERTIFICATE REQUEST')],
    ['nested length overflow', wrap(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00]))],
    ['deep nesting', wrap(Buffer.from(Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? 0x30 : 0x80))))],
  ];
  for (let i = 0; i < 12; i++) {
    const cut = 1 + Math.floor(random() * (der.length - 1));
    out.push([`DER truncated at ${cut}`, wrap(der.subarray(0, cut))]);
  }
  for (let i = 0; i < 12; i++) {
    const flipped = Buffer.from(der);
    const at = Math.floor(random() * flipped.length);
    flipped[at] = (flipped[at] ?? 0) ^ (1 + Math.floor(random() * 255));
    out.push([`DER with byte ${at} changed`, wrap(flipped)]);
  }
  return out;
}

function fuzzedTokens(random: () => number, valid: string): Array<[string, string]> {
  const b64 = (n: number): string => bytes(random, n).toString('base64url');
  const out: Array<[string, string]> = [
    ['random base64url', b64(200)],
    ['three random segments', `${b64(30)}.${b64(100)}.${b64(64)}`],
    ['a JSON header that is not a JWT header', `${Buffer.from('{"alg":{"x":1}}').toString('base64url')}.${b64(20)}.${b64(20)}`],
    ['a huge token (12 KiB)', b64(9_000)],
    ['a very huge token (40 KiB)', b64(30_000)],
    ['the valid token with its signature cut off', valid.slice(0, valid.lastIndexOf('.') + 1)],
    ['the valid token doubled', `${valid}${valid}`],
    ['the valid token with a space inside', `${valid.slice(0, 10)} ${valid.slice(10)}`],
  ];
  for (let i = 0; i < 10; i++) out.push([`valid token truncated (${i})`, valid.slice(0, 1 + Math.floor(random() * (valid.length - 1)))]);
  return out;
}

describe('CreateCertificate under fuzzed CSRs, tokens and requests', () => {
  let stateDir: string;
  let issuer: LocalTokenIssuer;
  let server: CaTestServer;
  let client: CaTestClient;
  let csr: OpensslCsr;
  let token: string;
  const errorDetails: string[] = [];
  const random = prng(SEED);

  const record = (outcome: CallOutcome): CallOutcome => {
    if (!outcome.ok) errorDetails.push(outcome.details);
    return outcome;
  };
  const validCallWorks = async (): Promise<void> => {
    const outcome = record(await client.createCertificate({ csr: csr.csrPem, token }));
    expect(outcome.ok ? 'OK' : `${grpc.status[outcome.code]}: ${outcome.details}`).toBe('OK');
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-ca-fuzz-'));
    issuer = await LocalTokenIssuer.open(stateDir);
    server = await startCaTestServer((ca) => [new ClientCertificateAuthenticator({ trustDomain: ca.trustDomain }), issuer.authenticator()]);
    client = server.client();
    csr = await opensslCsr();
    token = await issuer.mint({ namespace: 'fuzz', serviceAccount: 'fuzzer', ttlSeconds: 3600 });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it(`answers every fuzzed CSR with INVALID_ARGUMENT, then still signs a valid one (seed ${SEED})`, async () => {
    const cases = fuzzedCsrs(random, csr);
    for (const [name, fuzzed] of cases) {
      const outcome = record(await client.createCertificate({ csr: fuzzed, token }));
      expect(outcome.ok ? 'OK' : grpc.status[outcome.code], name).toBe('INVALID_ARGUMENT');
    }
    expect(await server.metric('citadel_server_csr_parsing_err_count')).toBe(cases.length);
    await validCallWorks();
  });

  it(`refuses every fuzzed token without crashing, then still accepts a valid one (seed ${SEED})`, async () => {
    const before = await server.metric('citadel_server_authentication_failure_count');
    const cases = fuzzedTokens(random, token);
    for (const [name, fuzzed] of cases) {
      const outcome = record(await client.createCertificate({ csr: csr.csrPem, token: fuzzed }));
      expect(outcome.ok ? 'OK' : grpc.status[outcome.code], name).toBe('UNAUTHENTICATED');
    }
    expect(await server.metric('citadel_server_authentication_failure_count')).toBe(before + cases.length);
    await validCallWorks();
  });

  it('survives request messages that are random bytes', async () => {
    for (let i = 0; i < 30; i++) {
      const outcome = record(await client.sendRawRequest(bytes(random, 1 + Math.floor(random() * 2000)), token));
      expect(outcome.ok, `raw request ${i}`).toBe(false);
    }
    await validCallWorks();
  });

  it('never puts a private key, nor the caller\'s token, in a log line or an error', () => {
    expect(server.logLines.length).toBeGreaterThan(50);
    expect(errorDetails.length).toBeGreaterThan(50);
    for (const line of server.logLines) {
      expect(line).not.toMatch(PRIVATE_KEY_MARKER);
      expect(line).not.toContain(token);
      // The key's base64 body, in case a marker were stripped.
      expect(line).not.toContain(csr.keyPem.split('\n')[1]);
    }
    for (const details of errorDetails) {
      expect(details).not.toMatch(PRIVATE_KEY_MARKER);
      expect(details).not.toContain(csr.keyPem.split('\n')[1]);
    }
  });
});
