/** One resource type as one stream has subscribed to it, and what that stream has been sent. */
import type { ErrorDetail } from './wire.js';
import { HeldResources } from './held-resources.js';

export class WatchedType {
  /** Wildcard: "*" was asked for, or (legacy) the first LDS/CDS request named nothing. */
  wildcard = false;
  /** Legacy wildcard lasts until the client names resources explicitly. */
  legacyWildcard = false;
  /** SotW: resourceNamesKey of the request that set `names`, so an ACK repeating them is not re-decoded. */
  namesKey = '';
  /** Explicitly subscribed names. */
  names: ReadonlySet<string> = new Set<string>();
  /** What the client holds, as far as this server knows: name → version. */
  readonly sent = new HeldResources();
  /** Subscribed names already reported as not existing (Delta removed_resources), so it is said once. */
  readonly reportedAbsent = new Set<string>();
  /** The client has sent at least one request for this type. */
  requested = false;
  /** Nonce of the last response; an ACK/NACK carrying another one is stale. */
  lastNonce = '';
  /** SotW: version_info of the last response (the digest of the subscribed set). */
  lastVersionSent = '';
  /** Last version the client acknowledged, and the error of its last rejection, if any. */
  ackedVersion = '';
  lastNack: (ErrorDetail & { readonly nonce: string; readonly at: Date }) | undefined;

  constructor(readonly typeUrl: string) {}
}
