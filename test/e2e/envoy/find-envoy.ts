/**
 * Where a real Envoy can come from: ENVOY_BIN (a binary) or a Docker engine
 * that can run the envoyproxy/envoy image. This machine kind has neither, so
 * the suite must say so loudly rather than pass quietly.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export type EnvoyLauncher =
  | { readonly kind: 'binary'; readonly path: string }
  | { readonly kind: 'docker'; readonly image: string };

export type EnvoyAvailability = { readonly available: true; readonly launcher: EnvoyLauncher } | { readonly available: false; readonly reason: string };

export const ENVOY_IMAGE = process.env['ENVOY_IMAGE'] ?? 'envoyproxy/envoy:v1.32-latest';

export function findEnvoy(): EnvoyAvailability {
  const bin = process.env['ENVOY_BIN'];
  if (bin) {
    if (!fs.existsSync(bin)) return { available: false, reason: `ENVOY_BIN=${bin} does not exist` };
    return { available: true, launcher: { kind: 'binary', path: bin } };
  }
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 10_000 });
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { available: false, reason: `ENVOY_BIN is not set and no Docker engine answers (docker info: ${why})` };
  }
  return { available: true, launcher: { kind: 'docker', image: ENVOY_IMAGE } };
}
