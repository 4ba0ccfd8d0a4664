/**
 * A Gateway's TLS credential held in a Secret, read as istiod reads it:
 * Istio's pilot/pkg/credentials/kube ExtractCertInfo (which keys hold the
 * certificate and key) and pilot/pkg/xds ValidateCertificate (the first PEM
 * block parses as certificates, each valid now). tsiod also checks what
 * Envoy refuses when it loads the pair and Istio leaves to it: the key must
 * be a PEM private key matching the first certificate.
 *
 * The source stores Secrets unchecked, as istiod's credentials controller
 * does; these checks are for the places that use a credential (the
 * gateway.SecretAnalyzer, and SDS when it comes). A problem is described by
 * key names and what is wrong, never by any part of the data.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ConfigObject } from '../config-object.js';
import { isJsonObject } from '../config-object.js';

/** Istio's generic Secret keys, and those of a kubernetes.io/tls Secret. */
export const GENERIC_CERT = 'cert';
export const GENERIC_KEY = 'key';
export const TLS_CERT = 'tls.crt';
export const TLS_KEY = 'tls.key';

export interface CertInfo {
  /** PEM certificate chain, the serving certificate first. */
  readonly cert: Buffer;
  /** PEM private key. Never log it. */
  readonly key: Buffer;
}

export type CertInfoResult = { readonly certInfo: CertInfo; readonly problem?: undefined } | { readonly problem: string; readonly certInfo?: undefined };

/** A Secret's data (base64) with its stringData (plain) over it, as the apiserver merges them on write. */
export function secretData(secret: ConfigObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const field of ['data', 'stringData'] as const) {
    const values = secret.content[field];
    if (!isJsonObject(values)) continue;
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'string') out.set(name, Buffer.from(value, field === 'data' ? 'base64' : 'utf8'));
    }
  }
  return out;
}

/** Istio's ExtractCertInfo: `cert` and `key`, else `tls.crt` and `tls.key`, both non-empty; the problem in Istio's words otherwise. */
export function extractCertInfo(data: ReadonlyMap<string, Buffer>): CertInfoResult {
  const pair = (certName: string, keyName: string): CertInfo | undefined => {
    const cert = data.get(certName);
    const key = data.get(keyName);
    return cert !== undefined && key !== undefined && cert.length > 0 && key.length > 0 ? { cert, key } : undefined;
  };
  const found = pair(GENERIC_CERT, GENERIC_KEY) ?? pair(TLS_CERT, TLS_KEY);
  if (found) return { certInfo: found };
  for (const [certName, keyName] of [[GENERIC_CERT, GENERIC_KEY], [TLS_CERT, TLS_KEY]] as const) {
    if (data.has(certName) && data.has(keyName)) return { problem: `found keys "${certName}" and "${keyName}", but they were empty` };
  }
  const names = [...data.keys()].sort();
  const shown = names.length < 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')}, and ${names.length - 3} more...`;
  return { problem: `found secret, but didn't have expected keys (${GENERIC_CERT} and ${GENERIC_KEY}) or (${TLS_CERT} and ${TLS_KEY}); found: ${shown}` };
}

/**
 * Istio's ValidateCertificate: the first PEM block (of whatever type, as Go's
 * pem.Decode finds it) holds DER certificates, each valid at `now`. Unlike
 * Istio's, a block holding no certificate at all is a problem too.
 */
export function certificateProblem(cert: Buffer, now: Date): string | undefined {
  return parseCertificates(cert, now).problem;
}

/** The whole credential: extracted, its certificate valid at `now`, its key a PEM private key matching that certificate. */
export function credentialProblem(data: ReadonlyMap<string, Buffer>, now: Date): string | undefined {
  const extracted = extractCertInfo(data);
  if (extracted.problem !== undefined) return extracted.problem;
  const parsed = parseCertificates(extracted.certInfo.cert, now);
  if (parsed.problem !== undefined) return parsed.problem;
  let key: KeyObject;
  try {
    key = createPrivateKey(extracted.certInfo.key);
  } catch {
    // OpenSSL's reason is not passed on: nothing derived from key material leaves here.
    return 'the private key does not parse (an unencrypted PEM private key is needed)';
  }
  if (!parsed.leaf.checkPrivateKey(key)) return 'the private key does not match the certificate';
  return undefined;
}

type Parsed = { readonly leaf: X509Certificate; readonly problem?: undefined } | { readonly problem: string; readonly leaf?: undefined };

function parseCertificates(pem: Buffer, now: Date): Parsed {
  const block = firstPemBlock(pem);
  if (!block) return { problem: 'pem decode failed' };
  const ders = splitDer(block.bytes);
  if (ders === undefined) return { problem: `the first PEM block (${block.type}) does not hold DER certificates` };
  if (ders.length === 0) return { problem: `the first PEM block (${block.type}) is empty` };
  const certs: X509Certificate[] = [];
  for (const der of ders) {
    try {
      certs.push(new X509Certificate(der));
    } catch {
      return { problem: `the first PEM block (${block.type}) does not hold DER certificates` };
    }
  }
  for (const cert of certs) {
    if (now > new Date(cert.validTo) || now < new Date(cert.validFrom)) return { problem: 'certificate is expired or not yet valid' };
  }
  return { leaf: certs[0]! };
}

export interface PemBlock {
  readonly type: string;
  readonly bytes: Buffer;
}

const BEGIN = '-----BEGIN ';
const END = '\n-----END ';
const DASHES = '-----';

/**
 * Go's pem.Decode: the first well-formed block. A BEGIN line starts the
 * data or a line; its type line ends in five dashes; header lines
 * ("Name: value") are skipped; the END line names the same type and ends
 * the line; the body is standard padded base64 (spaces, tabs and line
 * breaks ignored). A malformed candidate is passed over for the next one.
 */
export function firstPemBlock(data: Buffer): PemBlock | undefined {
  const text = data.toString('latin1');
  const nextBegin = (from: number): number => {
    const found = text.indexOf(`\n${BEGIN}`, from);
    return found < 0 ? -1 : found + 1;
  };
  for (let at = text.startsWith(BEGIN) ? 0 : nextBegin(0); at >= 0; at = nextBegin(at)) {
    const block = blockAt(text, at + BEGIN.length);
    if (block) return block;
  }
  return undefined;
}

function blockAt(text: string, start: number): PemBlock | undefined {
  const [typeLine, afterType] = lineAt(text, start);
  if (!typeLine.endsWith(DASHES)) return undefined;
  const type = typeLine.slice(0, -DASHES.length);
  let rest = afterType;
  let headers = 0;
  for (;;) {
    if (rest >= text.length) return undefined;
    const [line, next] = lineAt(text, rest);
    if (!line.includes(':')) break;
    headers += 1;
    rest = next;
  }
  let endIndex: number;
  let trailer: number;
  if (headers === 0 && text.startsWith(END.slice(1), rest)) {
    endIndex = rest;
    trailer = rest + END.length - 1;
  } else {
    endIndex = text.indexOf(END, rest);
    if (endIndex < 0) return undefined;
    trailer = endIndex + END.length;
  }
  if (!text.startsWith(`${type}${DASHES}`, trailer)) return undefined;
  const [restOfEndLine] = lineAt(text, trailer + type.length + DASHES.length);
  if (restOfEndLine !== '') return undefined;
  const body = text.slice(rest, endIndex).replace(/[ \t\r\n]/g, '');
  if (body.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(body)) return undefined;
  return { type, bytes: Buffer.from(body, 'base64') };
}

/** Go's getLine: the line from `start` without its break and trailing spaces, tabs and CRs; and where the next begins. */
function lineAt(text: string, start: number): [string, number] {
  const newline = text.indexOf('\n', start);
  const end = newline < 0 ? text.length : newline;
  return [text.slice(start, end).replace(/[ \t\r]+$/, ''), newline < 0 ? text.length : newline + 1];
}

/** Concatenated DER SEQUENCEs (Go's x509.ParseCertificates reads them one after another); undefined when they do not frame. */
function splitDer(bytes: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0x30 || offset + 2 > bytes.length) return undefined;
    let length = bytes[offset + 1]!;
    let header = 2;
    if (length & 0x80) {
      const octets = length & 0x7f;
      if (octets === 0 || octets > 4 || offset + 2 + octets > bytes.length) return undefined;
      length = 0;
      for (let i = 0; i < octets; i++) length = length * 256 + bytes[offset + 2 + i]!;
      header += octets;
    }
    const end = offset + header + length;
    if (end > bytes.length) return undefined;
    out.push(bytes.subarray(offset, end));
    offset = end;
  }
  return out;
}
