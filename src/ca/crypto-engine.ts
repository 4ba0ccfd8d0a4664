/**
 * The pkijs crypto engine over Node's WebCrypto, shared by the CA's files.
 * Passed explicitly to every pkijs call rather than installed globally, so the
 * CA does not depend on (or change) process-wide pkijs state.
 */
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';

// @types/node's SubtleCrypto is newer than the one pkijs's types were written against (KEM methods): the engine is the same at run time.
export const cryptoEngine: pkijs.ICryptoEngine = new pkijs.CryptoEngine({
  name: 'node-webcrypto',
  crypto: webcrypto as unknown as Crypto,
}) as unknown as pkijs.ICryptoEngine;

export const subtle = webcrypto.subtle;
