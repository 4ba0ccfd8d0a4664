/**
 * istio's own agent, pilot-agent (.peers/bin, built unmodified by
 * scripts/peers/go-peers.sh), run the way istio's grpc-agent.yaml injection
 * template runs it beside a proxyless gRPC app, but outside a cluster: no
 * root, nothing outside a temp dir, nothing but 127.0.0.1.
 *
 * What a pod would mount is laid out under the agent's working directory,
 * because pilot-agent reads those paths relative to it (istio's constants are
 * "./var/run/secrets/...", "./etc/istio/..."; a pod's working directory is /):
 *
 *   var/run/secrets/tokens/istio-token    the projected service-account token (audience istio-ca);
 *                                         no flag or env moves it (JWT_POLICY=third-party-jwt reads this path)
 *   var/run/secrets/istio/root-cert.pem   ConfigMap istio-ca-root-cert: the root the agent verifies
 *                                         istiod's 15012 against, for xDS and for the CA
 *   etc/istio/pod/annotations             the downward-API annotations file; status.sidecar.istio.io/port="0"
 *                                         turns off the status server, which would listen on every interface
 *
 * and what the agent writes lands there too:
 *
 *   etc/istio/proxy/XDS                   its local xDS proxy (a Unix socket; PROXY_CONFIG configPath)
 *   etc/istio/proxy/grpc-bootstrap.json   the gRPC xDS bootstrap for the app (GRPC_XDS_BOOTSTRAP)
 *   var/lib/istio/data/{key,cert-chain,root-cert}.pem   the workload certificate (OUTPUT_CERTS)
 *
 * The agent gets a clean environment (only what is set here): every ISTIO_META_*
 * variable it sees becomes node metadata, and CLOUD_PLATFORM=none keeps it from
 * probing cloud metadata servers off this machine.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForExit } from './child-processes.js';
import { WATCHDOG } from './go-peer-process.js';
import { goPeerPath, goPeerProblem } from './interop-peers.js';
import { LogBuffer } from './log-buffer.js';

export interface PilotAgentOptions {
  /** host:port of istiod's authenticated xDS and CA port (15012), always on 127.0.0.1. */
  readonly discoveryAddress: string;
  /**
   * The DNS SAN the agent expects in the control plane's serving certificate
   * (ISTIOD_SAN). Needed because the address is an IP: the agent would check
   * the IP otherwise. Istio's istiod.<namespace>.svc.
   */
  readonly istiodSan: string;
  /** The trust bundle (PEM) of ConfigMap istio-ca-root-cert. */
  readonly rootCertPem: string;
  /** A service-account token with audience istio-ca (a pod's istio-token projected volume). */
  readonly token: string;
  /** POD_NAMESPACE: the namespace the agent claims, in its node metadata and its CSR. */
  readonly namespace: string;
  /** SERVICE_ACCOUNT, likewise. */
  readonly serviceAccount: string;
  /** POD_NAME; default "<serviceAccount>-pod". */
  readonly podName?: string;
  /** ISTIO_META_CLUSTER_ID, sent as the ClusterID header to the CA and xDS; default "Kubernetes" as injected. */
  readonly clusterId?: string;
  /** TRUST_DOMAIN, for the SPIFFE URI of its CSR; default cluster.local. */
  readonly trustDomain?: string;
  /** SECRET_TTL (a Go duration), the certificate lifetime it asks the CA for; default 24h. */
  readonly secretTtl?: string;
}

/** The workload certificate pilot-agent wrote (OUTPUT_CERTS). The private key stays in its file. */
export interface WrittenCertificates {
  /** cert-chain.pem split into its certificates, leaf first. */
  readonly chain: readonly X509Certificate[];
  readonly chainPem: string;
  /** root-cert.pem: the root(s) the agent took from the CA's answer. */
  readonly rootCertPem: string;
  /** Path of key.pem, to check it against the leaf without ever printing it. */
  readonly keyPath: string;
}

export interface PilotAgent {
  readonly workDir: string;
  /** The gRPC xDS bootstrap it wrote for the app. */
  readonly grpcBootstrapPath: string;
  /** Its local xDS proxy, a Unix socket. */
  readonly xdsSocketPath: string;
  /** OUTPUT_CERTS: key.pem, cert-chain.pem, root-cert.pem once the CA has answered. */
  readonly certDir: string;
  /** Its stdout and stderr (istio's log lines). */
  readonly logs: LogBuffer;
  /** Why the process is gone, or undefined while it runs. */
  exitReason(): string | undefined;
  /** Resolves with the first log line matching `pattern`; rejects when the agent exits or time runs out. */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves once the CA has answered and the agent wrote the certificate files. */
  waitForCertificates(timeoutMs: number): Promise<WrittenCertificates>;
  /** Stops the agent and removes its working directory (which holds its private key). */
  stop(): Promise<void>;
}

/** Why pilot-agent cannot run here, or null when it can. */
export function pilotAgentProblem(): string | null {
  return goPeerProblem('pilot-agent');
}

const POLL_MS = 100;
const STOP_GRACE_MS = 5_000;
const READY_WITHIN_MS = 20_000;

function agentEnvironment(o: PilotAgentOptions, dir: string, paths: AgentPaths): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dir,
    // grpc-agent.yaml's env for proxyless gRPC.
    ISTIO_META_GENERATOR: 'grpc',
    DISABLE_ENVOY: 'true',
    ISTIO_META_DNS_CAPTURE: 'false',
    OUTPUT_CERTS: paths.certDir,
    PILOT_CERT_PROVIDER: 'istiod',
    POD_NAME: o.podName ?? `${o.serviceAccount}-pod`,
    POD_NAMESPACE: o.namespace,
    SERVICE_ACCOUNT: o.serviceAccount,
    INSTANCE_IP: '127.0.0.1',
    ISTIO_META_CLUSTER_ID: o.clusterId ?? 'Kubernetes',
    TRUST_DOMAIN: o.trustDomain ?? 'cluster.local',
    // The proxy config injection puts in PROXY_CONFIG; configPath is where the XDS socket goes.
    PROXY_CONFIG: JSON.stringify({ discoveryAddress: o.discoveryAddress, configPath: paths.configDir }),
    // The app container's GRPC_XDS_BOOTSTRAP: the agent writes the file there when it is set.
    GRPC_XDS_BOOTSTRAP: paths.grpcBootstrapPath,
    // Outside a cluster: no CA_ADDR (the CA is the discovery address, checked against ISTIOD_SAN).
    ISTIOD_SAN: o.istiodSan,
    CLOUD_PLATFORM: 'none',
    ...(o.secretTtl === undefined ? {} : { SECRET_TTL: o.secretTtl }),
  };
}

interface AgentPaths {
  readonly configDir: string;
  readonly grpcBootstrapPath: string;
  readonly xdsSocketPath: string;
  readonly certDir: string;
}

async function layOut(dir: string, o: PilotAgentOptions): Promise<AgentPaths> {
  const configDir = path.join(dir, 'etc/istio/proxy');
  const certDir = path.join(dir, 'var/lib/istio/data');
  for (const d of ['var/run/secrets/tokens', 'var/run/secrets/istio', 'etc/istio/pod', 'etc/istio/proxy', 'var/lib/istio/data']) {
    await mkdir(path.join(dir, d), { recursive: true, mode: 0o700 });
  }
  await writeFile(path.join(dir, 'var/run/secrets/tokens/istio-token'), o.token, { mode: 0o600 });
  await writeFile(path.join(dir, 'var/run/secrets/istio/root-cert.pem'), o.rootCertPem);
  await writeFile(path.join(dir, 'etc/istio/pod/annotations'), 'status.sidecar.istio.io/port="0"\n');
  return {
    configDir,
    certDir,
    grpcBootstrapPath: path.join(configDir, 'grpc-bootstrap.json'),
    // pilot-agent's XdsUdsPath: <configPath>/XDS.
    xdsSocketPath: path.join(configDir, 'XDS'),
  };
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Signals the watchdog's whole process group (bash, pilot-agent, the watcher): it was started detached. */
function signalGroup(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

export async function startPilotAgent(o: PilotAgentOptions): Promise<PilotAgent> {
  const problem = pilotAgentProblem();
  if (problem) throw new Error(`pilot-agent not provisioned: ${problem}. Run: bash scripts/peers/go-peers.sh pilot-agent`);
  // Short: the XDS socket path must fit a sockaddr_un (108 bytes).
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-pa-'));
  const paths = await layOut(dir, o);
  const logs = new LogBuffer();
  const child = spawn(
    'bash',
    ['-c', WATCHDOG, 'pilot-agent', goPeerPath('pilot-agent'), 'proxy', 'sidecar', '--log_output_level=default:info,xdsproxy:debug,cache:debug'],
    { cwd: dir, env: agentEnvironment(o, dir, paths), stdio: ['pipe', 'pipe', 'pipe'], detached: true },
  );
  for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));
  let exited: string | undefined;
  child.on('error', (error) => {
    exited ??= `pilot-agent could not be started: ${error.message}`;
  });
  child.on('exit', (code, signal) => {
    exited ??= `pilot-agent exited (code ${code}, signal ${signal})`;
  });

  const pollUntil = async <T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await check();
      if (found !== undefined) return found;
      if (exited !== undefined) throw new Error(`${exited} while waiting for ${what}; its log:\n${logs.text().slice(-6_000)}`);
      if (Date.now() > deadline) throw new Error(`pilot-agent: no ${what} within ${timeoutMs} ms; its log:\n${logs.text().slice(-6_000)}`);
      await sleep(POLL_MS);
    }
  };

  const agent: PilotAgent = {
    workDir: dir,
    grpcBootstrapPath: paths.grpcBootstrapPath,
    xdsSocketPath: paths.xdsSocketPath,
    certDir: paths.certDir,
    logs,
    exitReason: () => exited,
    waitForLog: (pattern, timeoutMs) =>
      pollUntil(`log line matching ${pattern}`, timeoutMs, async () => logs.text().split('\n').find((line) => pattern.test(line))),
    waitForCertificates: (timeoutMs) =>
      pollUntil('certificate files', timeoutMs, async () => {
        const files = ['cert-chain.pem', 'root-cert.pem', 'key.pem'].map((f) => path.join(paths.certDir, f));
        if (!files.every((f) => existsSync(f))) return undefined;
        const chainPem = await readFile(files[0]!, 'utf8');
        return { chainPem, chain: splitPem(chainPem).map((pem) => new X509Certificate(pem)), rootCertPem: await readFile(files[1]!, 'utf8'), keyPath: files[2]! };
      }),
    async stop(): Promise<void> {
      child.stdin.end(); // also ends the watchdog's reader when the agent is already gone
      if (exited === undefined) {
        signalGroup(child, 'SIGTERM');
        if (!(await waitForExit(child, STOP_GRACE_MS))) {
          signalGroup(child, 'SIGKILL');
          await waitForExit(child, STOP_GRACE_MS);
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };

  try {
    // The bootstrap is written after the XDS socket listens: its presence means the agent is up.
    await pollUntil('gRPC bootstrap', READY_WITHIN_MS, async () => (existsSync(paths.grpcBootstrapPath) && existsSync(paths.xdsSocketPath) ? true : undefined));
  } catch (error) {
    await agent.stop();
    throw error;
  }
  return agent;
}
