/**
 * The openssl CLI as an independent party for CA tests: it makes the CSRs a
 * workload agent would send, foreign CAs and certificates, and verifies the
 * chains our CA returns.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-openssl-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface OpensslCsr {
  readonly csrPem: string;
  readonly keyPem: string;
  /** The key's SubjectPublicKeyInfo as openssl prints it (PEM). */
  readonly publicKeyPem: string;
}

/** `openssl req -new` with a fresh key, the subject and SANs a (possibly lying) client asks for. */
export function opensslCsr(o: { key?: 'ec' | 'rsa'; subject?: string; subjectAltName?: string } = {}): Promise<OpensslCsr> {
  return inTempDir(async (dir) => {
    const keyArgs = o.key === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
    const args = ['req', '-new', ...keyArgs, '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'csr.pem'), '-subj', o.subject ?? '/'];
    if (o.subjectAltName) args.push('-addext', `subjectAltName=${o.subjectAltName}`);
    await run('openssl', args);
    await run('openssl', ['pkey', '-in', path.join(dir, 'key.pem'), '-pubout', '-out', path.join(dir, 'pub.pem')]);
    return {
      csrPem: await readFile(path.join(dir, 'csr.pem'), 'utf8'),
      keyPem: await readFile(path.join(dir, 'key.pem'), 'utf8'),
      publicKeyPem: await readFile(path.join(dir, 'pub.pem'), 'utf8'),
    };
  });
}

/**
 * `openssl verify` of a leaf against a root, with the certificates between as
 * untrusted intermediates. Resolves with openssl's output; rejects when it fails.
 */
export function opensslVerify(o: { leafPem: string; intermediatesPem: readonly string[]; rootPem: string; purpose?: 'sslclient' | 'sslserver' }): Promise<string> {
  return inTempDir(async (dir) => {
    await writeFile(path.join(dir, 'leaf.pem'), o.leafPem);
    await writeFile(path.join(dir, 'root.pem'), o.rootPem);
    const args = ['verify', '-CAfile', path.join(dir, 'root.pem')];
    if (o.purpose) args.push('-purpose', o.purpose);
    if (o.intermediatesPem.length > 0) {
      await writeFile(path.join(dir, 'untrusted.pem'), o.intermediatesPem.join(''));
      args.push('-untrusted', path.join(dir, 'untrusted.pem'));
    }
    args.push(path.join(dir, 'leaf.pem'));
    const { stdout } = await run('openssl', args);
    return stdout;
  });
}

export interface OpensslCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A self-signed CA of someone else's mesh. */
export function opensslCa(subject: string): Promise<OpensslCertificate> {
  return inTempDir(async (dir) => {
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-subj', subject,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return { certPem: await readFile(path.join(dir, 'cert.pem'), 'utf8'), keyPem: await readFile(path.join(dir, 'key.pem'), 'utf8') };
  });
}

/** A client certificate with the given SANs (openssl syntax, e.g. "URI:spiffe://td/ns/a/sa/b"), signed by `issuer`. */
export function opensslClientCertificate(issuer: OpensslCertificate, subjectAltName: string): Promise<OpensslCertificate> {
  return inTempDir(async (dir) => {
    const csr = await opensslCsr({ subject: '/' });
    await writeFile(path.join(dir, 'csr.pem'), csr.csrPem);
    await writeFile(path.join(dir, 'ca.pem'), issuer.certPem);
    await writeFile(path.join(dir, 'ca.key'), issuer.keyPem, { mode: 0o600 });
    await writeFile(path.join(dir, 'ext.cnf'), `subjectAltName=critical,${subjectAltName}\nextendedKeyUsage=clientAuth,serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
    await run('openssl', [
      'x509', '-req', '-in', path.join(dir, 'csr.pem'), '-CA', path.join(dir, 'ca.pem'), '-CAkey', path.join(dir, 'ca.key'),
      '-CAcreateserial', '-days', '1', '-extfile', path.join(dir, 'ext.cnf'), '-out', path.join(dir, 'cert.pem'),
    ]);
    return { certPem: await readFile(path.join(dir, 'cert.pem'), 'utf8'), keyPem: csr.keyPem };
  });
}
