/**
 * Starts tsiod in this process on 127.0.0.1 with free ports, its logs kept in
 * a buffer for failure output.
 */
import { pino } from 'pino';
import { startTsiod, type RunningTsiod } from '../../src/cli/serve.js';
import { LogBuffer } from './log-buffer.js';
import type { CaEndpoint } from './workload-certificates.js';

/** The DNS SAN of 15012's serving certificate with the default system namespace. */
const ISTIOD_SAN = 'istiod.istio-system.svc';

export interface TsiodUnderTest {
  readonly tsiod: RunningTsiod;
  readonly logs: LogBuffer;
}

/** The plaintext xDS port of a tsiod started with one (every helper here starts it). */
export function plaintextXdsPort(tsiod: RunningTsiod): number {
  if (tsiod.xdsPort === null) throw new Error('this tsiod was started without a plaintext xDS port');
  return tsiod.xdsPort;
}

export async function startTsiodUnderTest(configDir: string): Promise<TsiodUnderTest> {
  const logs = new LogBuffer();
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const tsiod = await startTsiod({ configDir, host: '127.0.0.1', xdsPort: 0, monitoringPort: 0, logger });
  return { tsiod, logs };
}

/**
 * What a suite with a real istio agent (test/interop/pilot-agent.test.ts) needs
 * from tsiod beyond the above: cluster mode (TokenReview for the CA and
 * authenticated xDS, the CA root in Secret istio-ca-secret, ConfigMap
 * istio-ca-root-cert in every namespace) and istiod's 15012 (TLS, xDS and
 * IstioCertificateService) on 127.0.0.1.
 */
export interface SecureTsiodUnderTest extends TsiodUnderTest {
  /** 15012's port on 127.0.0.1. */
  readonly securePort: number;
  /** The DNS SAN of 15012's serving certificate a client checks: istiod.<systemNamespace>.svc. */
  readonly istiodSan: string;
}


export async function startSecureTsiodUnderTest(kubeconfig: string, systemNamespace = 'istio-system'): Promise<SecureTsiodUnderTest> {
  const logs = new LogBuffer();
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const options = {
    kubernetes: { kubeconfig, backoff: { initialMs: 100, maxMs: 1_000, jitter: 0.2 } },
    host: '127.0.0.1',
    xdsPort: 0,
    monitoringPort: 0,
    // istiod's 15012; 0 picks a free port.
    securePort: 0,
    systemNamespace,
    logger,
  };
  const tsiod = await startTsiod(options);
  if (tsiod.securePort === null) {
    await tsiod.close();
    throw new Error('startTsiod({ securePort: 0 }) returned no secure port');
  }
  return { tsiod, logs, securePort: tsiod.securePort, istiodSan: `istiod.${systemNamespace}.svc` };
}

/**
 * tsiod in file mode with its CA on a free 15012 (state in `stateDir`), for
 * suites that issue workload certificates from it; logs go to `logs`.
 */
export async function startFileCaTsiodUnderTest(configDir: string, stateDir: string, logs: LogBuffer): Promise<{ readonly tsiod: RunningTsiod; readonly ca: CaEndpoint }> {
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const tsiod = await startTsiod({ configDir, stateDir, host: '127.0.0.1', xdsPort: 0, monitoringPort: null, securePort: 0, logger });
  if (tsiod.securePort === null) {
    await tsiod.close();
    throw new Error('startTsiod({ securePort: 0 }) returned no secure port');
  }
  return { tsiod, ca: { securePort: tsiod.securePort, trustBundlePem: tsiod.trustBundlePem().join('\n'), serverName: ISTIOD_SAN, stateDir } };
}
