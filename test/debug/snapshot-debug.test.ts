/** The snapshot debug views on the monitoring port, as an operator would curl them. */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTsiod, type RunningTsiod } from '../../src/cli/serve.js';

let tsiod: RunningTsiod;
beforeAll(async () => {
  tsiod = await startTsiod({ configDir: 'examples/bookinfo', host: '127.0.0.1', xdsPort: 0, monitoringPort: 0, logger: pino({ level: 'silent' }) });
});
afterAll(async () => tsiod?.close());

async function getJson(path: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${tsiod.monitoringPort}${path}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  return response.json();
}

describe('snapshot debug views', () => {
  it('/debug/registryz lists the services', async () => {
    const services = (await getJson('/debug/registryz')) as { hostname: string }[];
    expect(services.map((s) => s.hostname)).toEqual([
      'details.default.svc.cluster.local',
      'productpage.default.svc.cluster.local',
      'ratings.default.svc.cluster.local',
      'reviews.default.svc.cluster.local',
    ]);
  });

  it('/debug/endpointz lists endpoints by host', async () => {
    const endpoints = (await getJson('/debug/endpointz')) as Record<string, { port: number }[]>;
    expect(endpoints['reviews.default.svc.cluster.local']!.map((e) => e.port)).toEqual([19083, 19084, 19085]);
  });

  it('/debug/configz lists the Istio config with where it came from', async () => {
    const configs = (await getJson('/debug/configz')) as { meta: { kind: string; name: string; source: string } }[];
    expect(configs.map((c) => [c.meta.kind, c.meta.name, c.meta.source])).toEqual([
      ['VirtualService', 'reviews', 'reviews-routing.yaml#2'],
      ['DestinationRule', 'reviews', 'reviews-routing.yaml#1'],
    ]);
  });
});
