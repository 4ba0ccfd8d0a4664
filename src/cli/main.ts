#!/usr/bin/env node
/** The tsiod command line. */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { envoyBootstrap } from './envoy-bootstrap.js';
import { grpcBootstrap } from './grpc-bootstrap.js';
import { createLogger, type LogLevel } from './logger.js';
import { startTsiod } from './serve.js';
import { chooseConfigSource, type ConfigSourceFlags } from './config-source-choice.js';
import { runAnalyze, type AnalyzeOptions } from './analyze.js';
import { parseDurationMs } from '../config/duration.js';
import { parseJwtRule, type JwtRule } from '../ca/authn/jwt-rule.js';
import { defaultStateDir } from './security-setup.js';
import { runTokenCreate, DEFAULT_TOKEN_TTL } from './token-create.js';
import { runCaRoot } from './ca-root.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port number (0-65535)`);
  return n;
}

function duration(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined || ms < 0) throw new InvalidArgumentError(`"${value}" is not a duration such as 100ms or 10s`);
  return ms;
}

function labelList(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`"${pair}" in --labels is not key=value`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

function percentile(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new InvalidArgumentError(`"${value}" is not a whole percentage between 1 and 99`);
  return n;
}

function jwtRule(value: string, previous: JwtRule[]): JwtRule[] {
  try {
    return [...previous, parseJwtRule(value)];
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
}

interface ServeCommandOptions extends ConfigSourceFlags {
  syncTimeout: number; host: string; xdsPort: number | false; securePort: number | false;
  stateDir: string; pluggedInCaDir?: string; caKeyAlgorithm: 'RSA' | 'ECDSA'; workloadCertTtl: number; maxWorkloadCertTtl: number; jwtRule: JwtRule[];
  rootCertGracePeriodPercentile: number; rootCertCheckInterval: number; rootCertOverlap: number; monitoringPort: number; debounceAfter: number; debounceMax: number; logLevel: LogLevel;
  systemNamespace: string; meshConfig?: string;
  webhook: boolean; webhookPort: number; webhookTlsCert?: string; webhookTlsKey?: string; readiness: boolean; readinessPort: number;
  revision: string; webhookConfig: boolean;
}

const program = new Command('tsiod').description('An Envoy control plane that does istiod\'s job').version('0.1.0');

program
  .command('serve')
  .description('serve xDS (ADS, SotW and Delta) for the mesh in a directory of Kubernetes YAML, or in a cluster')
  .option('--config-dir <dir>', 'directory of Kubernetes and Istio YAML, watched for changes')
  .option('--kubeconfig <path>', 'read Services, EndpointSlices, Pods, Namespaces and Istio config from the cluster this kubeconfig points at')
  .option('--in-cluster', 'read them from the cluster tsiod runs in, as its pod\'s service account (the default in a pod when no source is given)')
  .option('--sync-timeout <duration>', 'cluster only: how long start-up waits for every kind\'s initial list before serving what it has, unready', duration, 60_000)
  .option('--system-namespace <ns>', 'the namespace of the mesh config ConfigMap "istio" (data.mesh), as istiod\'s', 'istio-system')
  .option('--mesh-config <file>', 'a MeshConfig YAML file (as istiod\'s --meshConfig), watched, instead of the istio ConfigMap')
  .option('--host <address>', 'address to listen on', '0.0.0.0')
  .option('--xds-port <port>', 'plaintext xDS port (config only: no authentication, no secrets)', port, 15010)
  .option('--no-xds-port', 'do not serve plaintext xDS')
  .option('--secure-port <port>', 'authenticated xDS (with SDS) and the Istio CA API, over TLS, as istiod\'s 15012', port, 15012)
  .option('--no-secure-port', 'run without the CA: no certificates, no authenticated xDS')
  .option('--state-dir <dir>', 'file mode: where the self-signed CA (<dir>/ca) and the local token-signing key are kept', defaultStateDir())
  .option('--plugged-in-ca-dir <dir>', 'file mode: an operator\'s CA (ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem, or tls.crt, tls.key, ca.crt), as istiod\'s cacerts mount; cluster mode reads Secret cacerts')
  .addOption(new Option('--ca-key-algorithm <algorithm>', 'key of a new self-signed root').choices(['RSA', 'ECDSA']).default('RSA'))
  .addOption(new Option('--workload-cert-ttl <duration>', 'lifetime of the certificates served as SDS "default"').argParser(duration).default(24 * 3_600_000, '24h'))
  .addOption(new Option('--max-workload-cert-ttl <duration>', 'longest lifetime CreateCertificate grants').argParser(duration).default(90 * 24 * 3_600_000, '2160h (90 days)'))
  .option('--root-cert-grace-period-percentile <percent>', 'rotate the self-signed root when this share of its lifetime is left (istiod\'s CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE)', percentile, 20)
  .addOption(new Option('--root-cert-check-interval <duration>', 'how often the self-signed root is checked for rotation; 0 turns rotation off (istiod\'s CITADEL_SELF_SIGNED_ROOT_CERT_CHECK_INTERVAL)').argParser(duration).default(3_600_000, '1h'))
  .addOption(new Option('--root-cert-overlap <duration>', 'how long a new root is trusted before it signs, so every proxy has it first').argParser(duration).default(24 * 3_600_000, '24h'))
  .option('--jwt-rule <rule>', 'accept OIDC tokens from an issuer: issuer=<url>,jwks=<url|file>[,audiences=istio-ca] (repeatable; istiod\'s --jwtRule)', jwtRule, [] as JwtRule[])
  .option('--monitoring-port <port>', 'Prometheus /metrics, /ready and /debug/syncz', port, 15014)
  .option('--webhook-port <port>', 'HTTPS validating admission webhook (POST /validate) and /ready', port, 15017)
  .option('--no-webhook', 'do not serve the validating webhook')
  .option('--webhook-tls-cert <file>', 'PEM serving certificate (chain) for the webhook; without it a self-signed one for istiod.<system namespace>.svc is made at start')
  .option('--webhook-tls-key <file>', 'PEM private key of --webhook-tls-cert')
  .option('--revision <name>', 'the istio.io/rev this control plane is: its mesh config is ConfigMap istio-<name> (istio for default), and cluster mode keeps the caBundle and failurePolicy of ValidatingWebhookConfigurations with that label', 'default')
  .option('--no-webhook-config', 'leave ValidatingWebhookConfigurations alone (cluster mode patches their caBundle by default)')
  .option('--readiness-port <port>', 'plain-HTTP /ready', port, 8080)
  .option('--no-readiness', 'do not serve the plain-HTTP readiness port')
  .option('--debounce-after <duration>', 'quiet time before a config change is pushed', duration, 100)
  .option('--debounce-max <duration>', 'longest a burst of changes is held back', duration, 10_000)
  .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
  .action(async (opts: ServeCommandOptions) => {
    const logger = createLogger(opts.logLevel);
    const source = chooseConfigSource(opts, process.env);
    if ((opts.webhookTlsCert === undefined) !== (opts.webhookTlsKey === undefined)) throw new Error('--webhook-tls-cert and --webhook-tls-key go together');
    const webhookTls = opts.webhookTlsCert !== undefined && opts.webhookTlsKey !== undefined
      ? { certPem: await readFile(opts.webhookTlsCert, 'utf8'), keyPem: await readFile(opts.webhookTlsKey, 'utf8') }
      : undefined;
    const running = await startTsiod({
      ...(source.configDir !== undefined ? { configDir: source.configDir } : { kubernetes: { ...source.kubernetes, syncTimeoutMs: opts.syncTimeout } }),
      host: opts.host, xdsPort: opts.xdsPort === false ? null : opts.xdsPort, monitoringPort: opts.monitoringPort,
      securePort: opts.securePort === false ? null : opts.securePort, stateDir: opts.stateDir,
      ...(opts.pluggedInCaDir !== undefined ? { pluggedInCaDir: opts.pluggedInCaDir } : {}),
      caKeyAlgorithm: opts.caKeyAlgorithm, workloadCertTtlSeconds: Math.floor(opts.workloadCertTtl / 1000),
      maxWorkloadCertTtlSeconds: Math.floor(opts.maxWorkloadCertTtl / 1000), jwtRules: opts.jwtRule,
      rootRotation: { gracePeriodPercentile: opts.rootCertGracePeriodPercentile, checkIntervalMs: opts.rootCertCheckInterval, overlapMs: opts.rootCertOverlap },
      webhookPort: opts.webhook ? opts.webhookPort : null, ...(webhookTls ? { webhookTls } : {}),
      revision: opts.revision, webhookRevision: opts.webhookConfig ? opts.revision : null,
      readinessPort: opts.readiness ? opts.readinessPort : null,
      debounceAfterMs: opts.debounceAfter, debounceMaxMs: opts.debounceMax, logger,
      systemNamespace: opts.systemNamespace, ...(opts.meshConfig !== undefined ? { meshConfigFile: opts.meshConfig } : {}),
    });
    const shown = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
    const lines = [`\ntsiod is serving (metrics on :${running.monitoringPort ?? '-'}/metrics).`];
    if (running.xdsPort !== null) {
      lines.push(
        `Plaintext xDS on ${shown}:${running.xdsPort}. Point a proxyless gRPC client at it:`,
        `  node dist/cli/main.js bootstrap --xds-address ${shown}:${running.xdsPort} > /tmp/tsiod-bootstrap.json`,
        `  GRPC_XDS_BOOTSTRAP=/tmp/tsiod-bootstrap.json <your client> xds:///reviews`,
        `or an Envoy at ADS ${shown}:${running.xdsPort} (node id sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local).`,
      );
    }
    if (running.securePort !== null) {
      lines.push(
        `Authenticated xDS, SDS and the Istio CA on ${shown}:${running.securePort} (TLS, server name istiod.${opts.systemNamespace}.svc):`,
        `  node dist/cli/main.js ca root${source.configDir !== undefined ? ` --state-dir ${opts.stateDir}` : ''} > /tmp/tsiod-root.pem`,
        ...(source.configDir !== undefined
          ? [`  node dist/cli/main.js token create --namespace default --service-account default --state-dir ${opts.stateDir}   # send as "authorization: Bearer <token>"`]
          : []),
      );
    }
    process.stderr.write(`${lines.join('\n')}\n\n`);
    const stop = (): void => {
      logger.info('shutting down');
      running.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

const token = program.command('token').description('tokens for tsiod\'s CA and authenticated xDS port');
token
  .command('create')
  .description('print a JWT for a namespace and service account that tsiod in file mode accepts (send it as "authorization: Bearer <token>")')
  .requiredOption('--namespace <ns>', 'the workload\'s namespace')
  .requiredOption('--service-account <sa>', 'the workload\'s service account')
  .option('--ttl <duration>', 'how long the token is valid', DEFAULT_TOKEN_TTL)
  .option('--state-dir <dir>', 'the state directory of the tsiod that is to accept it', defaultStateDir())
  .action(async (opts: { namespace: string; serviceAccount: string; ttl: string; stateDir: string }) => {
    await runTokenCreate({ namespace: opts.namespace, serviceAccount: opts.serviceAccount, ttl: opts.ttl, stateDir: opts.stateDir });
  });

const ca = program.command('ca').description('tsiod\'s certificate authority');
ca
  .command('root')
  .description('print the trust bundle (PEM roots) of the CA in a state directory, to verify tsiod\'s secure port and the certificates it issues')
  .option('--state-dir <dir>', 'the state directory tsiod serve uses', defaultStateDir())
  .option('--plugged-in-ca-dir <dir>', 'the plugged-in CA directory tsiod serve uses, if any')
  .action(async (opts: { stateDir: string; pluggedInCaDir?: string }) => {
    await runCaRoot({ stateDir: opts.stateDir, ...(opts.pluggedInCaDir !== undefined ? { pluggedInDir: opts.pluggedInCaDir } : {}) });
  });

program
  .command('bootstrap')
  .description('print a bootstrap for a client of tsiod: a gRPC xDS bootstrap (GRPC_XDS_BOOTSTRAP) or an Envoy bootstrap')
  .addOption(new Option('--proxy <kind>', 'what the bootstrap is for').choices(['grpc', 'envoy']).default('grpc'))
  .option('--xds-address <host:port>', 'where tsiod serves xDS', '127.0.0.1:15010')
  .option('--namespace <ns>', 'the client\'s namespace: short names like "reviews" resolve in it', 'default')
  .option('--node-id <id>', 'node id to present (Istio format: sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local)')
  .option('--admin-port <port>', 'Envoy admin port (envoy only)', port, 15000)
  .addOption(new Option('--api-type <type>', 'ADS flavour (envoy only)').choices(['DELTA_GRPC', 'GRPC']).default('DELTA_GRPC'))
  .option('--service-account <sa>', 'the workload\'s service account (envoy only; node metadata SERVICE_ACCOUNT)')
  .option('--root-cert <file>', 'envoy only: connect over TLS to the secure port (15012), trusting these PEM roots (`tsiod ca root`)')
  .option('--token-file <file>', 'envoy only, with --root-cert: a token for the workload (audience istio-ca) sent as "authorization: Bearer"; it ends up in the bootstrap')
  .option('--server-name <name>', 'envoy only, with --root-cert: the name in tsiod\'s serving certificate', 'istiod.istio-system.svc')
  .option('--cert-dir <dir>', 'grpc only: where the workload\'s cert-chain.pem, key.pem and root-cert.pem are (a "file_watcher" certificate provider "default", for xDS credentials)')
  .option('--labels <k=v,...>', 'grpc only: the workload\'s pod labels (node metadata LABELS), so that an xDS-enabled gRPC server gets the inbound listeners of the services selecting it', labelList)
  .action(async (opts: {
    proxy: 'grpc' | 'envoy'; xdsAddress: string; namespace: string; nodeId?: string; adminPort: number; apiType: 'GRPC' | 'DELTA_GRPC';
    serviceAccount?: string; rootCert?: string; tokenFile?: string; serverName: string; certDir?: string; labels?: Record<string, string>;
  }) => {
    if ((opts.rootCert === undefined) !== (opts.tokenFile === undefined)) throw new Error('--root-cert and --token-file go together');
    let out: Record<string, unknown>;
    if (opts.proxy === 'grpc') {
      out = grpcBootstrap(opts);
    } else {
      const colon = opts.xdsAddress.lastIndexOf(':');
      out = envoyBootstrap({
        xdsHost: opts.xdsAddress.slice(0, colon), xdsPort: port(opts.xdsAddress.slice(colon + 1)), adminPort: opts.adminPort, apiType: opts.apiType,
        namespace: opts.namespace, nodeId: opts.nodeId ?? `sidecar~127.0.0.1~envoy.${opts.namespace}~${opts.namespace}.svc.cluster.local`,
        ...(opts.serviceAccount !== undefined ? { serviceAccount: opts.serviceAccount } : {}),
        ...(opts.rootCert !== undefined && opts.tokenFile !== undefined
          ? { secure: { rootCertPem: await readFile(opts.rootCert, 'utf8'), token: (await readFile(opts.tokenFile, 'utf8')).trim(), serverName: opts.serverName } }
          : {}),
      });
    }
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  });

program
  .command('analyze')
  .description('analyze Istio configuration and print validation messages, as istioctl analyze does (message codes: https://istio.io/latest/docs/reference/config/analysis)')
  .option('-f, --config-dir <dir>', 'directory of Kubernetes and Istio YAML to analyze, read once')
  .option('--kubeconfig <path>', 'analyze the cluster this kubeconfig points at, listed once')
  .option('--in-cluster', 'analyze the cluster tsiod runs in (the default in a pod when no source is given)')
  .option('-o, --output <format>', 'output format: log (or text), json or yaml', 'log')
  .option('-n, --namespace <ns>', 'only report resources in this namespace (default: every namespace)')
  .option('-A, --all-namespaces', 'report resources in every namespace')
  .option('--output-threshold <level>', 'the least severe level printed: Info, Warning or Error', 'Info')
  .option('--failure-threshold <level>', 'the least severe level that sets exit code 79: Info, Warning or Error', 'Error')
  .option('--analyzer <name>', 'run only this analyzer (repeatable; see --list-analyzers)', (value: string, previous: string[]) => [...previous, value], [] as string[])
  .option('-L, --list-analyzers', 'list the analyzers and exit')
  .option('--color', 'colour the levels (default when stdout is a terminal and TERM is not dumb)')
  .option('--no-color', 'do not colour the levels')
  .option('--timeout <duration>', 'cluster only: how long to wait for the initial lists', duration, 30_000)
  .action(async (opts: Omit<AnalyzeOptions, 'timeoutMs'> & { timeout: number }) => {
    const { timeout, ...rest } = opts;
    const code = await runAnalyze({ ...rest, timeoutMs: timeout }, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      env: process.env,
      stdoutIsTty: process.stdout.isTTY,
    });
    process.exitCode = code;
    // Exit once output is flushed, even if a client library left a handle open.
    setTimeout(() => process.exit(code), 2_000).unref();
  });

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`tsiod: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
