/**
 * `tsiod token create`: a JWT for a namespace and service account, signed by
 * the state directory's local issuer, that tsiod in file mode accepts on its
 * CA and xDS port (15012) as `authorization: Bearer <token>`.
 *
 *   tsiod token create --namespace N --service-account S [--ttl 1h] [--state-dir D]
 */
import { parseDurationMs } from '../config/duration.js';
import { LocalTokenIssuer, MAX_LOCAL_TOKEN_TTL_SECONDS } from '../ca/authn/local-token-issuer.js';

export const DEFAULT_TOKEN_TTL = '1h';

export interface TokenCreateOptions {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** A Go-style duration ("1h", "30m", "90s", "1h30m") or a number of seconds; default 1h. */
  readonly ttl?: string;
  readonly stateDir: string;
}

/** Seconds of a --ttl value; throws with what is wrong. */
export function parseTokenTtl(text: string): number {
  const trimmed = text.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : parseDurationMs(trimmed);
  if (ms === undefined) throw new Error(`--ttl "${text}" is not a duration such as 1h, 30m or 3600s`);
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) throw new Error(`--ttl "${text}" must be at least 1s`);
  if (seconds > MAX_LOCAL_TOKEN_TTL_SECONDS) throw new Error(`--ttl "${text}" is longer than the ${MAX_LOCAL_TOKEN_TTL_SECONDS / 86_400} days a local token may live`);
  return seconds;
}

/** The token, without a trailing newline. Creates the state directory's signing key on first use. */
export async function createLocalToken(options: TokenCreateOptions): Promise<string> {
  const ttlSeconds = parseTokenTtl(options.ttl ?? DEFAULT_TOKEN_TTL);
  const issuer = await LocalTokenIssuer.open(options.stateDir);
  return issuer.mint({ namespace: options.namespace, serviceAccount: options.serviceAccount, ttlSeconds });
}

/** The command: prints the token and a newline. */
export async function runTokenCreate(options: TokenCreateOptions, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<void> {
  write(`${await createLocalToken(options)}\n`);
}
