/**
 * A real Kubernetes API server for tests, the way controller-runtime's envtest
 * makes one: etcd and kube-apiserver (built by scripts/peers/go-peers.sh) on
 * 127.0.0.1 random ports, a generated service-account signing key, a static
 * admin token, and kubeconfigs. No controller-manager runs, so tests create
 * EndpointSlices themselves and namespaces are never finalized.
 *
 * Beside the direct kubeconfig there is one through a TCP proxy the test can
 * cut: a partition without stopping the server, after which the client's
 * watches resume against state it missed.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { freeLoopbackPort, waitForExit } from './child-processes.js';
import { goPeerPath, goPeerProblem, peersRequired } from './interop-peers.js';

export interface KubeEnv {
  /** https://127.0.0.1:<port> of kube-apiserver. */
  readonly server: string;
  /** Admin (system:masters) kubeconfig straight to the apiserver. */
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
  /** Admin kubeconfig through the cuttable TCP proxy. */
  readonly proxiedKubeconfigPath: string;
  /** Drops every proxied connection and refuses new ones until restoreProxy(). */
  cutProxy(): Promise<void>;
  restoreProxy(): Promise<void>;
  /** Stops kube-apiserver and starts it again on the same port and etcd; resolves once it is ready. */
  restartApiserver(): Promise<void>;
  /** Compacts etcd's history up to its current revision (which it returns). */
  compactEtcd(): Promise<number>;
  /** The last lines etcd and kube-apiserver printed, for failure output. */
  logs(): string;
  stop(): Promise<void>;
}

export interface KubeEnvOptions {
  /**
   * kube-apiserver's watch cache (default on, as in clusters). Off, a watch is
   * served from etcd, so one resumed at a revision compacted away ends in
   * 410 Gone deterministically.
   */
  readonly watchCache?: boolean;
}

/** Why a KubeEnv cannot start here, or null when it can. */
export function kubeEnvProblem(): string | null {
  return goPeerProblem('etcd') ?? goPeerProblem('kube-apiserver');
}

const READY_WITHIN_MS = 60_000;
const LOG_LINES = 80;

class TailLog {
  private readonly lines: string[] = [];
  constructor(private readonly label: string) {}
  attach(child: ChildProcess): void {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line) this.lines.push(line);
        if (this.lines.length > LOG_LINES * 2) this.lines.splice(0, this.lines.length - LOG_LINES);
      });
    }
  }
  text(): string {
    return `---- ${this.label} ----\n${this.lines.slice(-LOG_LINES).join('\n')}`;
  }
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child) return;
  child.kill('SIGTERM');
  if (!(await waitForExit(child, 10_000))) {
    child.kill('SIGKILL');
    await waitForExit(child, 10_000);
  }
}

/** Polls until probe() resolves true; rejects with why if the process dies or time runs out. */
async function waitUntil(what: string, child: ChildProcess, probe: () => Promise<boolean>, log: TailLog): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready\n${log.text()}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${READY_WITHIN_MS} ms\n${log.text()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function httpsGetStatus(url: string, token: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

async function etcdPost(clientUrl: string, route: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${clientUrl}${route}`, { method: 'POST', body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`etcd ${route}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** A TCP relay that can refuse traffic: the partition half of a KubeEnv. */
class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private cut = false;
  private readonly server: net.Server;

  constructor(private readonly upstreamPort: number) {
    this.server = net.createServer((downstream) => {
      if (this.cut) {
        downstream.destroy();
        return;
      }
      const upstream = net.connect(this.upstreamPort, '127.0.0.1');
      for (const socket of [downstream, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      downstream.pipe(upstream).pipe(downstream);
      downstream.on('close', () => upstream.destroy());
      upstream.on('close', () => downstream.destroy());
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address();
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('proxy has no port'));
      });
    });
  }

  setCut(cut: boolean): void {
    this.cut = cut;
    if (cut) for (const socket of this.sockets) socket.destroy();
  }

  close(): Promise<void> {
    this.setCut(true);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function kubeconfigYaml(server: string, ca: Buffer, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${ca.toString('base64')}`,
    'users:',
    '- name: admin',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: test',
    '  context: {cluster: test, user: admin}',
    'current-context: test',
    '',
  ].join('\n');
}

export async function startKubeEnv(options: KubeEnvOptions = {}): Promise<KubeEnv> {
  const problem = kubeEnvProblem();
  if (problem) throw new Error(`kube-env peers not provisioned: ${problem}. Run: bash scripts/peers/provision.sh`);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'tsiod-kube-env-'));
  const etcdLog = new TailLog('etcd');
  const apiserverLog = new TailLog('kube-apiserver');
  let etcd: ChildProcess | undefined;
  let apiserver: ChildProcess | undefined;
  let proxy: CuttableProxy | undefined;

  const stop = async (): Promise<void> => {
    await proxy?.close();
    await stopProcess(apiserver);
    await stopProcess(etcd);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const [etcdClientPort, etcdPeerPort, apiserverPort] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const etcdPeerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    etcd = spawn(
      goPeerPath('etcd'),
      [
        '--name=test',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${etcdPeerUrl}`,
        `--initial-advertise-peer-urls=${etcdPeerUrl}`,
        `--initial-cluster=test=${etcdPeerUrl}`,
        // A test cluster's data is thrown away: fsync would only slow every write.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    etcdLog.attach(etcd);
    const etcdProcess = etcd;
    await waitUntil('etcd', etcdProcess, async () => (await fetch(`${etcdUrl}/health`)).ok, etcdLog);

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const saKey = path.join(dir, 'sa.key');
    const saPub = path.join(dir, 'sa.pub');
    await writeFile(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await writeFile(saPub, publicKey.export({ type: 'spki', format: 'pem' }));
    const token = randomBytes(24).toString('hex');
    const tokens = path.join(dir, 'tokens.csv');
    await writeFile(tokens, `${token},admin,admin-uid,system:masters\n`, { mode: 0o600 });
    const certDir = path.join(dir, 'certs');
    await mkdir(certDir);

    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      `--secure-port=${apiserverPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // The kubernetes Service's endpoint reconciler refuses loopback addresses; nothing here needs that Service.
      '--endpoint-reconciler-type=none',
      // No --tls-cert-file: kube-apiserver makes a self-signed pair for 127.0.0.1/localhost here and reuses it on restart.
      `--cert-dir=${certDir}`,
      `--token-auth-file=${tokens}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      // Without a controller-manager no namespace gets its default ServiceAccount, which this plugin requires of every Pod.
      '--disable-admission-plugins=ServiceAccount',
      '--enable-priority-and-fairness=false',
      `--watch-cache=${options.watchCache ?? true}`,
      '--v=1',
    ];
    const startApiserver = async (): Promise<ChildProcess> => {
      const child = spawn(goPeerPath('kube-apiserver'), apiserverArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
      apiserverLog.attach(child);
      const server = `https://127.0.0.1:${apiserverPort}`;
      let ca: Buffer | undefined;
      await waitUntil(
        'kube-apiserver',
        child,
        async () => {
          ca ??= await readFile(path.join(certDir, 'apiserver.crt')).catch(() => undefined);
          return ca !== undefined && (await httpsGetStatus(`${server}/readyz`, token, ca)) === 200;
        },
        apiserverLog,
      );
      return child;
    };
    apiserver = await startApiserver();

    const server = `https://127.0.0.1:${apiserverPort}`;
    const ca = await readFile(path.join(certDir, 'apiserver.crt'));
    const kubeconfigPath = path.join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfigYaml(server, ca, token), { mode: 0o600 });
    const relay = new CuttableProxy(apiserverPort);
    proxy = relay;
    const proxyPort = await relay.listen();
    const proxiedKubeconfigPath = path.join(dir, 'kubeconfig-proxied');
    await writeFile(proxiedKubeconfigPath, kubeconfigYaml(`https://127.0.0.1:${proxyPort}`, ca, token), { mode: 0o600 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);

    return {
      server,
      kubeconfigPath,
      kubeConfig,
      proxiedKubeconfigPath,
      cutProxy: async () => relay.setCut(true),
      restoreProxy: async () => relay.setCut(false),
      restartApiserver: async () => {
        await stopProcess(apiserver);
        apiserver = await startApiserver();
      },
      compactEtcd: async () => {
        // Any range answers with the store's current revision in its header.
        const range = await etcdPost(etcdUrl, '/v3/kv/range', { key: Buffer.from('/').toString('base64'), limit: 1 });
        const header = range['header'] as { revision?: string } | undefined;
        const revision = Number(header?.revision);
        if (!Number.isSafeInteger(revision) || revision <= 0) throw new Error(`etcd range returned no revision: ${JSON.stringify(range)}`);
        await etcdPost(etcdUrl, '/v3/kv/compaction', { revision: String(revision), physical: true });
        return revision;
      },
      logs: () => `${etcdLog.text()}\n${apiserverLog.text()}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Defines a suite only when etcd and kube-apiserver are provisioned; otherwise
 * skips it loudly, or fails under TSIOD_REQUIRE_PEERS=1 so CI cannot pass by
 * testing nothing.
 */
export function whenKubeEnvAvailable(suiteName: string, define: () => void): void {
  const problem = kubeEnvProblem();
  if (problem === null) {
    define();
    return;
  }
  if (peersRequired()) {
    describe(suiteName, () => {
      it('has etcd and kube-apiserver provisioned (TSIOD_REQUIRE_PEERS=1)', () => {
        throw new Error(`kube-env peers not provisioned: ${problem}. Run: bash scripts/peers/provision.sh`);
      });
    });
    return;
  }
  const message = `SKIPPED: etcd/kube-apiserver not provisioned (run npm run test:interop): ${problem}`;
  const bar = '!'.repeat(Math.min(message.length, 100));
  console.warn(`\n${bar}\n${message}\n${bar}\n`);
  describe.skip(`${suiteName}: ${message}`, () => {
    it('needs etcd and kube-apiserver', () => undefined);
  });
}
