/**
 * Proves a client driver's NACK report works, so the "no NACK" assertions of
 * the other scenarios can fail: against a server that sends an invalid
 * Listener, the client must report it NACKed, naming the resource and why.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startNackingAdsServer, type NackingAdsServer } from '../../helpers/nacking-ads-server.js';
import { ListenerType } from '../../../src/xds/proto/type-urls.js';
import type { NackedResource, TrafficDriver } from './traffic-driver.js';

export interface NackDetectionSuite {
  readonly clientName: string;
  startDriver(xdsPort: number): Promise<TrafficDriver>;
}

const REPORT_WITHIN_MS = 10_000;

async function awaitNack(driver: TrafficDriver): Promise<readonly NackedResource[]> {
  const start = performance.now();
  while (performance.now() - start < REPORT_WITHIN_MS) {
    // Traffic makes the client dial, and the grpcio driver reports NACKs per batch of RPCs.
    await driver.sendBatch(1);
    const nacked = await driver.nackedResources();
    if (nacked.length > 0) return nacked;
  }
  throw new Error(`${driver.description} reported no NACK within ${REPORT_WITHIN_MS} ms`);
}

export function defineNackDetectionSuite(suite: NackDetectionSuite): void {
  describe(`${suite.clientName} NACK reporting`, () => {
    let server: NackingAdsServer | undefined;
    let driver: TrafficDriver | undefined;

    afterAll(async () => {
      await driver?.close();
      await server?.stop();
    });

    it('reports an invalid Listener as NACKed, with the reason', async () => {
      server = await startNackingAdsServer();
      driver = await suite.startDriver(server.port);
      const nacked = await awaitNack(driver).catch((error: unknown) => {
        console.error(`${driver?.description} xDS trace:\n${driver?.recentLogs() ?? ''}`);
        throw error;
      });
      console.info(`${driver.description} NACK report: ${JSON.stringify(nacked)}`);
      expect(nacked).toEqual([{ typeUrl: ListenerType, name: 'reviews', details: expect.stringMatching(/\S/) }]);
      // The same rejection as the server saw it on the wire.
      expect(server.nacks.map((n) => n.typeUrl)).toContain(ListenerType);
    });
  });
}
