/**
 * What istio's own agent (pilot-agent, unmodified, .peers/bin) tells tsiod
 * about the Envoy beside it, and whether tsiod's answer fits that Envoy.
 *
 * The agent is run in sidecar mode with a stand-in for Envoy (a script that
 * keeps a copy of the bootstrap it is started with, then exits): the
 * bootstrap is the one istio-proxy's Envoy would get, rendered by the agent
 * from the template shipped in the same istio module the agent is built
 * from (tools/packaging/common/envoy_bootstrap.json in the Go module
 * cache). Its node must be recognised as fronted by the agent, and every
 * SDS cluster tsiod's listeners and clusters name for that node must be one
 * the bootstrap defines: a name Envoy does not know would make it reject
 * the whole update.
 *
 * Everything stays under a temp directory and on 127.0.0.1: the agent's
 * discovery address is a loopback port nobody listens on (it tries to get
 * a certificate there and fails, which does not stop the bootstrap).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProxyNode, type ProxyNode } from '../../src/model/proxy.js';
import { cdsGenerator, ldsGenerator } from '../../src/xds/gen/index.js';
import { freeLoopbackPort, waitForExit } from '../helpers/child-processes.js';
import { WATCHDOG } from '../helpers/go-peer-process.js';
import { goPeerPath, goPeerPinnedVersion } from '../helpers/interop-peers.js';
import { LogBuffer } from '../helpers/log-buffer.js';
import { generateFor } from '../xds/gen/helpers/generate.js';
import { endpoint, kubeService, port, snapshot } from '../xds/gen/helpers/mesh-builder.js';
import { whenPeersProvisioned } from './drivers/peer-guard.js';

const NAMESPACE = 'shop';
const SERVICE_ACCOUNT = 'web';
const AGENT_WITHIN_MS = 30_000;

interface EnvoyBootstrap {
  readonly node: { readonly id: string; readonly metadata: Record<string, unknown> };
  readonly static_resources: { readonly clusters: ReadonlyArray<{ readonly name: string }> };
}

/** The bootstrap template of the pinned istio module, as go-peers.sh downloaded it to build the agent. */
function istioBootstrapTemplate(): string {
  const modCache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const file = path.join(modCache, `istio.io/istio@${goPeerPinnedVersion('pilot-agent')}`, 'tools/packaging/common/envoy_bootstrap.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run bash scripts/peers/go-peers.sh pilot-agent (or go mod download istio.io/istio@${goPeerPinnedVersion('pilot-agent')})`);
  return file;
}

/** Runs the agent until its stand-in Envoy has exited; resolves with the bootstrap the agent wrote for Envoy. */
async function bootstrapFromAgent(dir: string): Promise<EnvoyBootstrap> {
  for (const d of ['var/lib/istio/envoy', 'var/run/secrets/tokens', 'var/run/secrets/istio', 'etc/istio/pod', 'etc/istio/proxy']) {
    await mkdir(path.join(dir, d), { recursive: true, mode: 0o700 });
  }
  // pilot-agent reads these relative to its working directory, as from / in a pod.
  await writeFile(path.join(dir, 'var/lib/istio/envoy/envoy_bootstrap_tmpl.json'), await readFile(istioBootstrapTemplate()));
  await writeFile(path.join(dir, 'var/run/secrets/tokens/istio-token'), 'not-a-token', { mode: 0o600 });
  await writeFile(path.join(dir, 'etc/istio/pod/annotations'), 'status.sidecar.istio.io/port="0"\n');
  // The root the agent would verify istiod with: any certificate; it never gets to use it.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'unused-key.pem'),
    '-subj', '/O=unused', '-days', '1', '-out', path.join(dir, 'var/run/secrets/istio/root-cert.pem')], { stdio: 'pipe' });
  const captured = path.join(dir, 'captured-bootstrap.json');
  const standIn = path.join(dir, 'stand-in-envoy');
  await writeFile(standIn, `#!/bin/bash\nwhile [ $# -gt 0 ]; do if [ "$1" = "-c" ]; then cp "$2" '${captured}'; fi; shift; done\n`);
  await chmod(standIn, 0o700);
  const discovery = `127.0.0.1:${await freeLoopbackPort()}`;
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dir,
    POD_NAME: 'web-0',
    POD_NAMESPACE: NAMESPACE,
    SERVICE_ACCOUNT,
    INSTANCE_IP: '127.0.0.1',
    ISTIO_META_CLUSTER_ID: 'Kubernetes',
    ISTIO_META_DNS_CAPTURE: 'false',
    TRUST_DOMAIN: 'cluster.local',
    ISTIOD_SAN: 'istiod.istio-system.svc',
    PILOT_CERT_PROVIDER: 'istiod',
    CLOUD_PLATFORM: 'none',
    // What injection puts in PROXY_CONFIG, plus the stand-in as Envoy's binary.
    PROXY_CONFIG: JSON.stringify({ discoveryAddress: discovery, configPath: path.join(dir, 'etc/istio/proxy'), binaryPath: standIn }),
  };
  const logs = new LogBuffer();
  const child = spawn('bash', ['-c', WATCHDOG, 'pilot-agent', goPeerPath('pilot-agent'), 'proxy', 'sidecar'], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));
  try {
    const deadline = Date.now() + AGENT_WITHIN_MS;
    while (!existsSync(captured)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`pilot-agent started no Envoy with a bootstrap; its log:\n${logs.text().slice(-6_000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The stand-in may still be copying: read once the agent has seen it exit.
    await waitForExit(child, AGENT_WITHIN_MS);
    return JSON.parse(await readFile(captured, 'utf8')) as EnvoyBootstrap;
  } finally {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await waitForExit(child, 5_000);
    }
  }
}

/** Every cluster an SdsSecretConfig anywhere in `value` sends Envoy to (ApiConfigSource envoyGrpc). */
function sdsClustersIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) sdsClustersIn(item, out);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const sds = record['sdsConfig'] as { apiConfigSource?: { grpcServices?: Array<{ envoyGrpc?: { clusterName?: string } }> } } | undefined;
    for (const service of sds?.apiConfigSource?.grpcServices ?? []) if (service.envoyGrpc?.clusterName) out.add(service.envoyGrpc.clusterName);
    for (const child of Object.values(record)) sdsClustersIn(child, out);
  }
  return out;
}

const SUITE = 'pilot-agent\'s Envoy bootstrap';
whenPeersProvisioned(SUITE, ['pilot-agent'], () => describe(SUITE, () => {
  let dir: string;
  let bootstrap: EnvoyBootstrap;
  let node: ProxyNode;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-pa-envoy-'));
    bootstrap = await bootstrapFromAgent(dir);
    node = parseProxyNode({ id: bootstrap.node.id, metadata: bootstrap.node.metadata, userAgentName: 'envoy' }, 'cluster.local');
  }, AGENT_WITHIN_MS * 2 + 10_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is a node tsiod recognises as fronted by the agent, with the sds-grpc cluster defined', () => {
    expect(bootstrap.node.metadata['PROXY_CONFIG']).toBeTypeOf('object');
    expect(bootstrap.static_resources.clusters.map((c) => c.name)).toContain('sds-grpc');
    expect(node).toMatchObject({ type: 'sidecar', namespace: NAMESPACE, serviceAccount: SERVICE_ACCOUNT, workloadSds: 'sds-grpc' });
  });

  it('gets listeners and clusters whose SDS configs name only clusters its bootstrap defines', () => {
    // A mesh where this sidecar terminates mTLS (PERMISSIVE by default) and originates it (auto mTLS to a sidecar endpoint).
    const http = port(8080, 'HTTP', 'http');
    const mesh = snapshot({
      services: [kubeService('web', NAMESPACE, [http]), kubeService('api', 'backend', [http])],
      endpoints: {
        [`web.${NAMESPACE}.svc.cluster.local`]: [endpoint('127.0.0.1', http, { tlsMode: 'istio', serviceAccount: SERVICE_ACCOUNT })],
        'api.backend.svc.cluster.local': [endpoint('10.2.0.1', http, { tlsMode: 'istio', serviceAccount: 'api' })],
      },
    });
    const named = sdsClustersIn([generateFor(ldsGenerator, mesh, node), generateFor(cdsGenerator, mesh, node)].flat().map((r) => r.resource));
    const defined = new Set(bootstrap.static_resources.clusters.map((c) => c.name));
    expect(named.size).toBeGreaterThan(0);
    for (const cluster of named) expect(defined.has(cluster), `SDS cluster ${cluster}`).toBe(true);
  });
}));
