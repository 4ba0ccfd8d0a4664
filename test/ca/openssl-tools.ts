/**
 * The openssl CLI as the independent judge of what the CA makes, and as the
 * maker of inputs the CA must accept: CSRs (RSA and EC, with a subject and SANs
 * the CA must ignore), plugged-in CA hierarchies (root -> intermediate[s]) as
 * an operator would make them with Istio's tools/certs Makefiles.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function openssl(args: readonly string[], input?: string | Buffer): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export function opensslBinary(args: readonly string[], input?: string | Buffer): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** A scratch directory for one test file; remove() at the end. */
export class Scratch {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'tsiod-ca-core-'));
  #n = 0;

  file(name: string, content: string | Buffer, mode = 0o600): string {
    const p = path.join(this.dir, `${this.#n++}-${name}`);
    writeFileSync(p, content, { mode });
    return p;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export type KeyType = 'rsa' | 'ec' | 'rsa1024';

export function opensslKey(type: KeyType): string {
  switch (type) {
    case 'rsa':
      return openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
    case 'rsa1024':
      return openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']);
    case 'ec':
      return openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  }
}

/** A CSR made by `openssl req`, asking for a subject and a SAN the CA must not grant. */
export function opensslCsr(scratch: Scratch, type: KeyType, o: { subject?: string; san?: string; keyPem?: string } = {}): { csrPem: string; keyPem: string } {
  const keyPem = o.keyPem ?? opensslKey(type);
  const keyFile = scratch.file('csr-key.pem', keyPem);
  const args = ['req', '-new', '-key', keyFile, '-subj', o.subject ?? '/O=evil/CN=admin'];
  if (o.san !== undefined) args.push('-addext', `subjectAltName=${o.san}`);
  return { csrPem: openssl(args), keyPem };
}

export interface OpensslCa {
  readonly certPem: string;
  readonly keyPem: string;
}

const CA_EXTENSIONS = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash'];

/** A self-signed root, as `openssl req -x509` makes it. */
export function opensslRoot(scratch: Scratch, subject: string, type: KeyType = 'rsa', days = 3650): OpensslCa {
  const keyPem = opensslKey(type);
  const keyFile = scratch.file('root-key.pem', keyPem);
  const args = ['req', '-x509', '-new', '-key', keyFile, '-subj', subject, '-days', String(days), '-sha256'];
  for (const ext of CA_EXTENSIONS) args.push('-addext', ext);
  return { certPem: openssl(args), keyPem };
}

/** A certificate for a new key signed by `issuer`: an intermediate CA by default, or a non-CA when `ca` is false. */
export function opensslSigned(scratch: Scratch, issuer: OpensslCa, subject: string, o: { type?: KeyType; ca?: boolean; days?: number } = {}): OpensslCa {
  const keyPem = opensslKey(o.type ?? 'ec');
  const keyFile = scratch.file('key.pem', keyPem);
  const csr = openssl(['req', '-new', '-key', keyFile, '-subj', subject]);
  const ext = o.ca === false ? ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'] : [...CA_EXTENSIONS, 'authorityKeyIdentifier=keyid'];
  const extFile = scratch.file('ext.cnf', `${ext.join('\n')}\n`);
  const certPem = openssl([
    'x509', '-req', '-in', scratch.file('req.csr', csr), '-CA', scratch.file('issuer.pem', issuer.certPem), '-CAkey', scratch.file('issuer-key.pem', issuer.keyPem),
    '-set_serial', `0x${Date.now().toString(16)}${Math.floor(Math.random() * 1e6).toString(16)}`, '-days', String(o.days ?? 730), '-sha256', '-extfile', extFile,
  ]);
  return { certPem, keyPem };
}

/**
 * `openssl verify` of a leaf against a bundle file, with intermediates as
 * untrusted; returns openssl's output, throws (with openssl's stderr) when the
 * chain does not verify.
 */
export function opensslVerify(scratch: Scratch, o: { leafPem: string; bundlePem: readonly string[]; intermediatesPem?: readonly string[]; purpose?: 'sslserver' | 'sslclient'; extra?: readonly string[] }): string {
  const args = ['verify', '-x509_strict', '-CAfile', scratch.file('bundle.pem', o.bundlePem.join(''))];
  if (o.intermediatesPem !== undefined && o.intermediatesPem.length > 0) args.push('-untrusted', scratch.file('untrusted.pem', o.intermediatesPem.join('')));
  if (o.purpose !== undefined) args.push('-purpose', o.purpose);
  args.push(...(o.extra ?? []), scratch.file('leaf.pem', o.leafPem));
  try {
    return openssl(args);
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    throw new Error(`openssl verify failed: ${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** `openssl x509 -text -noout` of a certificate. */
export function opensslText(certPem: string): string {
  return openssl(['x509', '-text', '-noout'], certPem);
}
