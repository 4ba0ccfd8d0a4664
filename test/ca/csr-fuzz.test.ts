/**
 * Fuzz-ish: whatever bytes arrive as a CSR, signCsr either issues (a mutation
 * that left a valid signed request) or rejects with a CaError; never another
 * exception, never a hang. The inputs are seeded so a failure reproduces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaError, CertificateAuthority } from '../../src/ca/certificate-authority.js';
import { createSelfSignedRoot } from '../../src/ca/self-signed-root.js';
import { openssl, opensslCsr, Scratch } from './openssl-tools.js';
import { seededRandom } from '../helpers/seeded-random.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());
const identity = { trustDomain: 'cluster.local', namespace: 'fuzz', serviceAccount: 'fuzz' };

let ca: CertificateAuthority;
let seeds: Buffer[];

beforeAll(async () => {
  ca = await CertificateAuthority.fromKeyMaterial(await createSelfSignedRoot({ trustDomain: 'cluster.local', algorithm: 'ECDSA' }), { trustDomain: 'cluster.local' });
  seeds = [opensslCsr(scratch, 'ec', { san: 'URI:spiffe://x/ns/a/sa/b' }).csrPem, opensslCsr(scratch, 'rsa').csrPem].map(der);
});

const prng = seededRandom;

function der(pem: string): Buffer {
  return Buffer.from((/-----BEGIN [A-Z ]+-----([\s\S]*?)-----END/.exec(pem)?.[1] ?? '').replace(/\s+/g, ''), 'base64');
}

function pem(bytes: Buffer): string {
  return `-----BEGIN CERTIFICATE REQUEST-----\n${(bytes.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

type Outcome = 'issued' | CaError['code'];

async function outcome(input: string): Promise<Outcome> {
  try {
    await ca.signCsr(input, identity);
    return 'issued';
  } catch (err) {
    if (err instanceof CaError) return err.code;
    throw new Error(`signCsr threw a non-CaError for input ${JSON.stringify(input.slice(0, 200))}: ${String(err)}`);
  }
}

describe('signCsr on hostile input', () => {
  it('rejects random bytes, raw and PEM-wrapped, with CaError only', async () => {
    const rand = prng(1);
    const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
    for (let i = 0; i < 150; i++) {
      const b = bytes(1 + Math.floor(rand() * 600));
      expect(await outcome(b.toString('latin1'))).not.toBe('issued');
      expect(await outcome(pem(b))).not.toBe('issued');
      // Random bytes behind a plausible DER header: SEQUENCE with a matching length.
      const body = bytes(Math.floor(rand() * 300));
      expect(await outcome(pem(Buffer.concat([Buffer.from([0x30, 0x82, body.length >> 8, body.length & 0xff]), body])))).not.toBe('issued');
    }
  });

  it('rejects every truncation of a valid CSR with invalid-csr', async () => {
    for (const seed of seeds) {
      for (let cut = 0; cut < seed.length; cut += 3) {
        const result = await outcome(pem(seed.subarray(0, cut)));
        expect(result).toBe('invalid-csr');
      }
    }
  });

  it('answers single-byte mutations of valid CSRs with a certificate or a CaError, and never issues for a changed key or signature', async () => {
    const rand = prng(2);
    const seen = new Set<Outcome>();
    for (let i = 0; i < 400; i++) {
      const seed = seeds[i % seeds.length] ?? Buffer.alloc(0);
      const mutated = Buffer.from(seed);
      const at = Math.floor(rand() * mutated.length);
      mutated[at] = ((mutated[at] ?? 0) ^ (1 + Math.floor(rand() * 255))) & 0xff;
      const result = await outcome(pem(mutated));
      seen.add(result);
      // When the CA issued, the mutation left a request whose self-signature an independent verifier accepts too.
      if (result === 'issued') expect(() => openssl(['req', '-verify', '-noout'], pem(mutated))).not.toThrow();
    }
    // Both refusal kinds occur: mutations hit the structure and the signed content.
    expect(seen.has('invalid-csr')).toBe(true);
    expect(seen.has('csr-signature')).toBe(true);
  });

  it('still signs the unmutated seeds (the harness is not refusing everything)', async () => {
    for (const seed of seeds) expect(await outcome(pem(seed))).toBe('issued');
  });
});
