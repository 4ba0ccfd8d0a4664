/**
 * Gateway credentials read as istiod reads them (ExtractCertInfo, then
 * ValidateCertificate on the first PEM block), plus the key check Envoy
 * makes. The golden Secrets under test/golden/analyze/gateway.SecretAnalyzer
 * are each checked for the reason they are (in)valid, so the golden's
 * IST0161 lines cannot pass by accident; and no reason quotes the data.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificateProblem, credentialProblem, extractCertInfo, firstPemBlock, secretData } from '../../../src/config/kubernetes/credentials.js';
import { loadDirectory } from '../../../src/config/load-directory.js';

const GOLDEN = path.resolve(import.meta.dirname, '../../golden/analyze/gateway.SecretAnalyzer');
const NOW = new Date('2030-01-01T00:00:00Z');

async function secrets(directory: string): Promise<Map<string, Map<string, Buffer>>> {
  const loaded = await loadDirectory(path.join(GOLDEN, directory));
  expect(loaded.errors).toEqual([]);
  const out = new Map<string, Map<string, Buffer>>();
  for (const object of loaded.store.objects().values()) if (object.kind === 'Secret') out.set(object.metadata.name, secretData(object));
  return out;
}

const data = (entries: Record<string, string>): Map<string, Buffer> => new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)]));

describe('gateway credentials', () => {
  it('finds each golden input Secret (in)valid for its own reason', async () => {
    const found = await secrets('input');
    const reasons = Object.fromEntries([...found].map(([name, d]) => [name, credentialProblem(d, NOW) ?? 'valid']));
    expect(reasons).toEqual({
      'bookinfo-cert': 'valid',
      'ca-only': "found secret, but didn't have expected keys (cert and key) or (tls.crt and tls.key); found: ca.crt",
      'expired-cert': 'certificate is expired or not yet valid',
      garbage: 'pem decode failed',
      'future-cert': 'certificate is expired or not yet valid',
      'empty-keys': 'found keys "tls.crt" and "tls.key", but they were empty',
      'wrong-key-names': "found secret, but didn't have expected keys (cert and key) or (tls.crt and tls.key); found: tls.cert, tls.key",
      'key-first': 'the first PEM block (PRIVATE KEY) does not hold DER certificates',
      'mismatched-key': 'the private key does not match the certificate',
    });
    // The same certificates, a day inside their validity: expiry is all that was wrong with them.
    expect(credentialProblem(found.get('expired-cert')!, new Date('2026-11-22T00:00:00Z'))).toBeUndefined();
    expect(credentialProblem(found.get('future-cert')!, new Date('2031-01-02T00:00:00Z'))).toBeUndefined();
  });

  it('finds every golden valid Secret valid', async () => {
    for (const [name, d] of await secrets('valid')) expect([name, credentialProblem(d, NOW)]).toEqual([name, undefined]);
  });

  it('takes cert/key over tls.crt/tls.key, and names at most three keys', () => {
    expect(extractCertInfo(data({ cert: 'a', key: 'b', 'tls.crt': 'c', 'tls.key': 'd' })).certInfo?.cert.toString()).toBe('a');
    expect(extractCertInfo(data({ cert: '', key: 'b', 'tls.crt': 'c', 'tls.key': 'd' })).certInfo?.cert.toString()).toBe('c');
    expect(extractCertInfo(data({ cert: '', key: '' })).problem).toBe('found keys "cert" and "key", but they were empty');
    expect(extractCertInfo(data({ d: '1', c: '2', b: '3', a: '4', e: '5' })).problem).toMatch(/found: a, b, c, and 2 more\.\.\.$/);
    expect(extractCertInfo(new Map()).problem).toMatch(/found: $/);
  });

  describe('the first PEM block, as Go\'s pem.Decode finds it', () => {
    const body = Buffer.from('0\x03\x02\x01\x05', 'latin1').toString('base64');
    it('skips text before it, header lines, CRLF line ends and trailing blanks', () => {
      expect(firstPemBlock(Buffer.from(`junk\r\n-----BEGIN X-----  \r\nProc-Type: 4,ENCRYPTED\r\n\r\n${body}\r\n-----END X----- \r\nmore`))).toEqual({ type: 'X', bytes: Buffer.from(body, 'base64') });
    });
    it('passes over a malformed block for the next one', () => {
      const bad = ['-----BEGIN A-----\n!!!!\n-----END A-----\n', '-----BEGIN B-----\nAAAA\n-----END C-----\n', '-----BEGIN D-----\nAAAA\n-----END D----- trailing\n'];
      expect(firstPemBlock(Buffer.from(`${bad.join('')}-----BEGIN E-----\n${body}\n-----END E-----\n`))?.type).toBe('E');
    });
    it('needs BEGIN at the start of a line', () => {
      expect(firstPemBlock(Buffer.from(`x -----BEGIN A-----\n${body}\n-----END A-----\n`))).toBeUndefined();
      expect(firstPemBlock(Buffer.from('no pem here'))).toBeUndefined();
    });
    it('reads an empty block, which holds no certificate', () => {
      expect(firstPemBlock(Buffer.from('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n'))).toEqual({ type: 'CERTIFICATE', bytes: Buffer.alloc(0) });
      expect(certificateProblem(Buffer.from('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n'), NOW)).toBe('the first PEM block (CERTIFICATE) is empty');
    });
  });

  it('never quotes the data in a reason', async () => {
    const found = await secrets('input');
    for (const d of found.values()) {
      const reason = credentialProblem(d, NOW) ?? '';
      for (const value of d.values()) {
        for (const line of value.toString('utf8').split('\n')) if (line.length > 8 && !line.startsWith('-----')) expect(reason).not.toContain(line);
      }
    }
    const key = readFileSync(path.join(GOLDEN, 'input/ingress.yaml'), 'utf8').match(/BEGIN PRIVATE KEY-----\n\s+(\S+)/)?.[1];
    expect(key).toBeDefined();
    expect(credentialProblem(data({ 'tls.crt': 'x', 'tls.key': key! }), NOW)).not.toContain(key!.slice(0, 12));
  });
});
