/**
 * `tsiod bootstrap --proxy grpc`, run as a user runs it, against what
 * pilot-agent writes (istio-agent grpcxds.GenerateBootstrap): the server
 * listener name template "xds.istio.io/grpc/lds/inbound/%s" always, and
 * with a certificate directory the "file_watcher" certificate provider
 * "default" over its cert-chain.pem, key.pem and root-cert.pem, refreshed
 * every 15 minutes (durationpb in protojson: "900s"). grpc-js-xds's own
 * bootstrap reader then checks it reads as intended.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI_TIMEOUT_MS = 30_000;

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function tsiod(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, TERM: 'dumb' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

type Bootstrap = Record<string, unknown> & { node: { metadata: Record<string, unknown> } };

describe('tsiod bootstrap --proxy grpc', () => {
  let certDir: string;
  let withCerts: Bootstrap;
  let plain: Bootstrap;
  beforeAll(async () => {
    certDir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-grpc-bootstrap-'));
    const [a, b] = await Promise.all([
      tsiod(['bootstrap', '--proxy', 'grpc', '--xds-address', '127.0.0.1:15010', '--cert-dir', certDir, '--labels', 'app=echo-server,version=v1']),
      tsiod(['bootstrap', '--proxy', 'grpc']),
    ]);
    expect(a.stderr).toBe('');
    expect(b.stderr).toBe('');
    withCerts = JSON.parse(a.stdout) as Bootstrap;
    plain = JSON.parse(b.stdout) as Bootstrap;
  }, CLI_TIMEOUT_MS);
  afterAll(async () => {
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  it("declares Istio's server listener name template, with or without certificates", () => {
    for (const bootstrap of [withCerts, plain]) expect(bootstrap['server_listener_resource_name_template']).toBe('xds.istio.io/grpc/lds/inbound/%s');
  });

  it('with --cert-dir, declares the file_watcher provider "default" over the files pilot-agent writes there', () => {
    expect(withCerts['certificate_providers']).toEqual({
      default: {
        plugin_name: 'file_watcher',
        config: {
          certificate_file: path.join(certDir, 'cert-chain.pem'),
          private_key_file: path.join(certDir, 'key.pem'),
          ca_certificate_file: path.join(certDir, 'root-cert.pem'),
          refresh_interval: '900s',
        },
      },
    });
    expect(plain).not.toHaveProperty('certificate_providers');
  });

  it('with --labels, puts the pod labels in the node metadata (LABELS), as the agent does', () => {
    expect(withCerts.node.metadata['LABELS']).toEqual({ app: 'echo-server', version: 'v1' });
    expect(plain.node.metadata).not.toHaveProperty('LABELS');
  });

  it("reads as intended by grpc-js-xds's bootstrap reader", async () => {
    const { validateBootstrapConfig } = (await import('@grpc/grpc-js-xds/build/src/xds-bootstrap.js')) as unknown as {
      validateBootstrapConfig(obj: unknown): { serverListenerResourceNameTemplate: string | null; certificateProviders: Record<string, { plugin_name?: string; pluginName?: string }> };
    };
    const read = validateBootstrapConfig(withCerts);
    expect(read.serverListenerResourceNameTemplate).toBe('xds.istio.io/grpc/lds/inbound/%s');
    expect(Object.keys(read.certificateProviders)).toEqual(['default']);
  });

  it('refuses a --labels entry that is not key=value, naming it', async () => {
    const bad = await tsiod(['bootstrap', '--proxy', 'grpc', '--labels', 'app=x,oops']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('"oops" in --labels is not key=value');
  }, CLI_TIMEOUT_MS);
});
