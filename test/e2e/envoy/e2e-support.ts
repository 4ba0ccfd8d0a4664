/** What the Envoy e2e suites share: the loud SKIPPED banner, a free port, and polling admin output. */
import net from 'node:net';
import { findEnvoy } from './find-envoy.js';

export type EnvoyAvailability = ReturnType<typeof findEnvoy>;

/** Finds Envoy (ENVOY_BIN or Docker) and, when there is none, says so loudly with the reason. */
export function envoyOrSkipBanner(suite: string): EnvoyAvailability {
  const envoy = findEnvoy();
  if (!envoy.available) {
    process.stdout.write(`\n${'*'.repeat(78)}\nSKIPPED: no Envoy (${envoy.reason}).\n${suite} did not run. Set ENVOY_BIN or provide a Docker engine to run it.\n${'*'.repeat(78)}\n`);
  }
  return envoy;
}

export const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => {
    const port = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(port));
  });
});

export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
