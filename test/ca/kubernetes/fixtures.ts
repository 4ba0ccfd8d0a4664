/**
 * What the CA's Kubernetes suites share: CA certificates made with the
 * openssl CLI (an independent tool, so the material under test is not made
 * by the code under test), a raw JSON client on the test apiserver that
 * does not go through src/ (client-node's typed Lease model cannot write
 * MicroTime fields), and polling for an eventual state.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';

export interface OpensslCa {
  readonly certPem: string;
  readonly keyPem: string;
}

export type KeyFlavour = 'rsa-pkcs1' | 'rsa-pkcs8' | 'ec-sec1' | 'ec-pkcs8';

const CA_EXTENSIONS = [
  '[req]',
  'distinguished_name = dn',
  'prompt = no',
  '[dn]',
  '[v3_ca]',
  'basicConstraints = critical, CA:TRUE',
  'keyUsage = critical, keyCertSign, cRLSign, digitalSignature',
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid:always',
  '[v3_leaf]',
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature, keyEncipherment',
  '',
].join('\n');

function openssl(args: readonly string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function generateKey(flavour: KeyFlavour): string {
  switch (flavour) {
    case 'rsa-pkcs1':
      return openssl(['genrsa', '-traditional', '2048']);
    case 'rsa-pkcs8':
      return openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
    case 'ec-sec1':
      return openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout']);
    case 'ec-pkcs8':
      return openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  }
}

/** Runs `fn` with a scratch directory holding the extensions config, removed afterwards. */
function inScratch<T>(fn: (dir: string, config: string) => T): T {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsiod-ca-test-'));
  try {
    const config = path.join(dir, 'openssl.cnf');
    writeFileSync(config, CA_EXTENSIONS);
    return fn(dir, config);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A self-signed CA (subject O=<organization>). */
export function opensslRoot(organization: string, flavour: KeyFlavour = 'rsa-pkcs8'): OpensslCa {
  return inScratch((dir, config) => {
    const keyPem = generateKey(flavour);
    const keyPath = path.join(dir, 'key.pem');
    writeFileSync(keyPath, keyPem, { mode: 0o600 });
    const certPem = openssl(['req', '-x509', '-new', '-key', keyPath, '-subj', `/O=${organization}`, '-days', '365', '-sha256', '-config', config, '-extensions', 'v3_ca']);
    return { certPem, keyPem };
  });
}

/** A CA certificate signed by `issuer`; with `leaf`, a certificate that is not a CA. */
export function opensslIntermediate(organization: string, issuer: OpensslCa, flavour: KeyFlavour = 'ec-pkcs8', leaf = false): OpensslCa {
  return inScratch((dir, config) => {
    const keyPem = generateKey(flavour);
    const file = (name: string, content: string): string => {
      const p = path.join(dir, name);
      writeFileSync(p, content, { mode: 0o600 });
      return p;
    };
    const keyPath = file('key.pem', keyPem);
    const csrPath = path.join(dir, 'req.csr');
    openssl(['req', '-new', '-key', keyPath, '-subj', `/O=${organization}`, '-config', config, '-out', csrPath]);
    const certPath = path.join(dir, 'cert.pem');
    openssl([
      'x509', '-req', '-in', csrPath, '-CA', file('issuer.pem', issuer.certPem), '-CAkey', file('issuer-key.pem', issuer.keyPem),
      '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', '365', '-sha256', '-extfile', config, '-extensions', leaf ? 'v3_leaf' : 'v3_ca', '-out', certPath,
    ]);
    return { certPem: readFileSync(certPath, 'utf8'), keyPem };
  });
}

/** The SubjectPublicKeyInfo PEM of a certificate, as openssl reads it. */
export function opensslCertPublicKey(certPem: string): string {
  return openssl(['x509', '-noout', '-pubkey'], certPem);
}

/** The SubjectPublicKeyInfo PEM of a private key, as openssl reads it. */
export function opensslKeyPublicKey(keyPem: string): string {
  return openssl(['pkey', '-pubout'], keyPem);
}

/** The SHA-256 fingerprint of each certificate in a PEM text, in order, as openssl prints them. */
export function opensslFingerprints(pemText: string): string[] {
  const blocks = pemText.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => openssl(['x509', '-noout', '-fingerprint', '-sha256'], `${block}\n`).trim());
}

export interface RawResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One call to the apiserver with the kubeconfig's credentials, JSON in and out; never throws on an HTTP status. */
export async function kubeJson(kubeConfig: KubeConfig, method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<RawResponse> {
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  const options: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
  await kubeConfig.applyToHTTPSOptions(options);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) options.headers = { ...options.headers, 'Content-Type': contentType };
  return new Promise((resolve, reject) => {
    const request = https.request(new URL(server + urlPath), options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(payload);
  });
}

/** Like kubeJson, but fails unless the status is 2xx. */
export async function kubeJsonOk(kubeConfig: KubeConfig, method: string, urlPath: string, body?: unknown, contentType?: string): Promise<Record<string, unknown>> {
  const response = await kubeJson(kubeConfig, method, urlPath, body, contentType);
  if (response.status < 200 || response.status > 299) throw new Error(`${method} ${urlPath}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** Polls `check` until it holds; fails with `what` (and the last detail) when it never does. */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A promise with its resolve exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
