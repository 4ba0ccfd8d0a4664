/**
 * PEM encoding and decoding for the CA: certificates, CSRs and keys move in
 * and out of tsiod as PEM text (Secrets, files, the CreateCertificate API).
 *
 * Decoding never echoes the input back in an error: the text may hold a
 * private key, and errors end up in logs.
 */

/** One PEM block: its label (e.g. "CERTIFICATE") and the DER bytes it carries. */
export interface PemBlock {
  readonly label: string;
  readonly der: Buffer;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';
const LABEL = /^[A-Z0-9 ]+$/;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;

export function toPem(label: string, der: ArrayBuffer | Uint8Array): string {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Every well-formed PEM block in the text, in order. Blocks with mismatched
 * BEGIN/END labels or a body that is not base64 are skipped, as Go's
 * pem.Decode skips what it cannot read. Linear in the input (indexOf, no
 * backtracking regex): the text may come from an unauthenticated caller.
 */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let from = 0;
  for (;;) {
    const firstBegin = text.indexOf(BEGIN, from);
    if (firstBegin === -1) break;
    const end = text.indexOf(END, firstBegin + BEGIN.length);
    // No END after this BEGIN means none after any later BEGIN either.
    if (end === -1) break;
    // BEGINs without an END of their own before this END are skipped in one step.
    const begin = text.lastIndexOf(BEGIN, end - BEGIN.length);
    const endLabelStart = end + END.length;
    const endLabelEnd = text.indexOf(DASHES, endLabelStart);
    if (endLabelEnd === -1) break;
    from = endLabelEnd + DASHES.length;
    const labelStart = begin + BEGIN.length;
    const labelEnd = text.indexOf(DASHES, labelStart);
    if (labelEnd >= end) continue;
    const label = text.slice(labelStart, labelEnd);
    const body = text.slice(labelEnd + DASHES.length, end);
    if (!LABEL.test(label) || label !== text.slice(endLabelStart, endLabelEnd)) continue;
    // RFC 7468 allows headers (e.g. Proc-Type) only in legacy encrypted keys, which tsiod does not read.
    if (!BASE64_BODY.test(body)) continue;
    const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
    if (der.length === 0) continue;
    blocks.push({ label, der });
  }
  return blocks;
}

/** The DER of every CERTIFICATE block, in order. */
export function pemCertificates(text: string): Buffer[] {
  return pemBlocks(text)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => b.der);
}

/** Each certificate of a (possibly concatenated) PEM text as its own normalized PEM string. */
export function splitPemCertificates(text: string): string[] {
  return pemCertificates(text).map((der) => toPem('CERTIFICATE', der));
}

/** Whether two PEM texts hold the same (first) certificate, whatever their line layout. */
export function sameCertificate(a: string, b: string): boolean {
  const [da] = pemCertificates(a);
  const [db] = pemCertificates(b);
  return da !== undefined && db !== undefined && da.equals(db);
}
