/**
 * A last guard on text leaving the CA server (gRPC status messages, log
 * lines): any PEM private-key block is cut out, and the text is kept short.
 * The pieces below already avoid echoing keys; this makes a slip harmless.
 */

const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const MAX_LENGTH = 500;

export function safeMessage(text: string): string {
  const redacted = text.replace(PRIVATE_KEY_BLOCK, '[private key redacted]');
  return redacted.length > MAX_LENGTH ? `${redacted.slice(0, MAX_LENGTH)}…` : redacted;
}
