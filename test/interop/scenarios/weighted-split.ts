/**
 * The scenarios every proxyless gRPC client is put through against tsiod,
 * defined once and run by each client's suite with its own TrafficDriver and
 * kind of backend (backend-kinds.ts):
 *
 * 1. VirtualService weights 60/30/10 split real RPCs 60/30/10.
 * 2. An edit of the VirtualService to 0/0/100 (editor-style rename) moves all
 *    traffic within 2 s.
 * 3. Taking an endpoint out of its EndpointSlice (plain overwrite) stops its
 *    traffic within 2 s while the other endpoint of that subset keeps serving.
 *
 * After each, neither the client (its CSDS view) nor tsiod (pilot_total_xds_rejects)
 * may have seen a NACK: a client that rejects an update keeps routing by the
 * last good config, so traffic alone could pass on stale routing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeReviewsMesh, type MeshDir, type ReviewsPod, type RouteWeights } from '../../helpers/mesh-dir.js';
import { startTsiodUnderTest, type TsiodUnderTest, plaintextXdsPort } from '../../helpers/tsiod-under-test.js';
import { readXdsRejects } from '../../helpers/xds-rejects-metric.js';
import { awaitTraffic, onlyAnsweredBy } from './await-traffic.js';
import { ECHO_BACKENDS, type BackendKind, type BackendPool } from './backend-kinds.js';
import { shareTolerance } from './binomial.js';
import { totalAnswered, type BatchResult, type TrafficDriver } from './traffic-driver.js';

export interface WeightedSplitSuite {
  readonly clientName: string;
  /** Starts the client against tsiod. Called once per file: xDS clients read their bootstrap once per process. */
  startDriver(xdsPort: number): Promise<TrafficDriver>;
  /** What serves the reviews pods; by default grpc-js echo servers, which need nothing but npm. */
  readonly backends?: BackendKind;
}

const POD_VERSIONS: ReadonlyArray<readonly [name: string, version: string]> = [
  ['reviews-v1', 'v1'],
  ['reviews-v2', 'v2'],
  ['reviews-v3-a', 'v3'],
  ['reviews-v3-b', 'v3'],
];
const INITIAL_WEIGHTS: RouteWeights = { v1: 60, v2: 30, v3: 10 };
const ALL_TO_V3: RouteWeights = { v1: 0, v2: 0, v3: 100 };
const V3_PODS = ['reviews-v3-a', 'reviews-v3-b'];
const REMOVED_POD = 'reviews-v3-b';
const KEPT_POD = 'reviews-v3-a';

const SPLIT_RPCS = 2_000;
/** The budget the project promises from a saved edit to client routing. */
const CONVERGE_WITHIN_MS = 2_000;
/** First contact includes connecting to tsiod and four resource round trips. */
const FIRST_ANSWER_WITHIN_MS = 15_000;
/** After convergence, this many more RPCs must all agree: one lucky batch is not a new steady state. */
const CONFIRM_RPCS = 500;

function countsByVersion(batch: BatchResult, pods: readonly ReviewsPod[]): Record<string, number> {
  const byVersion: Record<string, number> = {};
  for (const [backend, n] of Object.entries(batch.byBackend)) {
    const pod = pods.find((p) => p.name === backend);
    const version = pod ? pod.version : `unknown backend ${backend}`;
    byVersion[version] = (byVersion[version] ?? 0) + n;
  }
  return byVersion;
}

function describeFailures(batch: BatchResult): string {
  return batch.failures === 0 ? 'no failures' : `${batch.failures} failed RPCs, first: ${batch.firstFailure ?? '?'}`;
}

export function defineWeightedSplitSuite(suite: WeightedSplitSuite): void {
  const backendKind = suite.backends ?? ECHO_BACKENDS;
  describe(`${suite.clientName} routed by tsiod (VirtualService weights, EndpointSlices) to ${backendKind.name}`, () => {
    let backends: BackendPool | undefined;
    let mesh: MeshDir | undefined;
    let server: TsiodUnderTest | undefined;
    let driver: TrafficDriver | undefined;

    function started(): { mesh: MeshDir; server: TsiodUnderTest; driver: TrafficDriver } {
      if (!mesh || !server || !driver) throw new Error('suite setup did not complete');
      return { mesh, server, driver };
    }

    async function printDiagnostics(reason: string): Promise<void> {
      const parts = [`==== ${suite.clientName}: ${reason} ====`];
      if (driver) {
        const nacked = await driver.nackedResources().catch((error: unknown) => `unknown: ${String(error)}`);
        parts.push(`---- resources ${driver.description} holds as NACKed ----\n${JSON.stringify(nacked, null, 2)}`);
        parts.push(`---- ${driver.description} xDS trace (last lines) ----\n${driver.recentLogs()}`);
      }
      if (server) parts.push(`---- tsiod log (last lines) ----\n${server.logs.text()}`);
      if (mesh) parts.push(`---- config dir ${mesh.path} ----\n${await mesh.snapshot()}`);
      console.error(parts.join('\n'));
    }

    async function expectNoRejects(): Promise<void> {
      const { server, driver } = started();
      const nacked = await driver.nackedResources();
      expect(nacked, `${driver.description} NACKed resources from tsiod`).toEqual([]);
      const port = server.tsiod.monitoringPort;
      if (port === null) throw new Error('tsiod was started with monitoring, but reports no monitoring port');
      const rejects = await readXdsRejects(port);
      if (rejects.exposed) {
        expect(rejects.total, `tsiod counted xDS rejects:\n${rejects.samples.join('\n')}`).toBe(0);
      } else {
        console.warn('tsiod /metrics does not expose pilot_total_xds_rejects: only the client-side NACK check ran');
      }
    }

    beforeAll(async () => {
      try {
        const pool = await backendKind.start(POD_VERSIONS.map(([name]) => name));
        backends = pool;
        const pods = POD_VERSIONS.map(([name, version]): ReviewsPod => ({ name, version, port: pool.portOf(name) }));
        mesh = await writeReviewsMesh(pods, INITIAL_WEIGHTS);
        server = await startTsiodUnderTest(mesh.path);
        driver = await suite.startDriver(plaintextXdsPort(server.tsiod));
        await awaitTraffic(driver, (b) => totalAnswered(b) > 0, {
          withinMs: FIRST_ANSWER_WITHIN_MS,
          batchRpcs: 1,
          what: 'answering its first RPC over xds:///reviews',
        });
      } catch (error) {
        await printDiagnostics(`setup failed: ${(error as Error).message}`);
        throw error;
      }
    });

    afterAll(async () => {
      await driver?.close();
      await server?.tsiod.close();
      await backends?.stop();
      await mesh?.remove();
    });

    beforeEach(({ onTestFailed }) => {
      onTestFailed(async () => printDiagnostics('test failed'));
    });

    it(`splits ${SPLIT_RPCS} RPCs by the VirtualService weights 60/30/10`, async () => {
      const { mesh, driver } = started();
      const batch = await driver.sendBatch(SPLIT_RPCS);
      const n = totalAnswered(batch);
      const byVersion = countsByVersion(batch, mesh.pods);
      console.info(`${driver.description}: ${n} RPCs split ${JSON.stringify(byVersion)} (${JSON.stringify(batch.byBackend)})`);
      expect(batch.failures, describeFailures(batch)).toBe(0);
      expect(Object.keys(byVersion).sort()).toEqual(Object.keys(INITIAL_WEIGHTS).sort());
      for (const [version, weight] of Object.entries(INITIAL_WEIGHTS)) {
        const p = weight / 100;
        const share = (byVersion[version] ?? 0) / n;
        const tolerance = shareTolerance(p, n);
        expect(
          Math.abs(share - p),
          `${version}: observed ${(share * 100).toFixed(1)}%, weight ${weight}%, allowed ±${(tolerance * 100).toFixed(1)} points`,
        ).toBeLessThanOrEqual(tolerance);
      }
      await expectNoRejects();
    });

    it(`moves all traffic to v3 within ${CONVERGE_WITHIN_MS} ms of a VirtualService edit saved by rename`, async () => {
      const { mesh, driver } = started();
      await mesh.setRouteWeights(ALL_TO_V3, 'rename');
      const converged = await awaitTraffic(driver, onlyAnsweredBy(V3_PODS), {
        withinMs: CONVERGE_WITHIN_MS,
        what: 'sending every RPC to v3',
      });
      console.info(`${driver.description}: all traffic on v3 ${converged.afterMs.toFixed(0)} ms after the rename`);
      expect(converged.seenOnTheWay.failures, `during the switch: ${describeFailures(converged.seenOnTheWay)}`).toBe(0);
      const after = await driver.sendBatch(CONFIRM_RPCS);
      expect(after.failures, describeFailures(after)).toBe(0);
      expect(countsByVersion(after, mesh.pods)).toEqual({ v3: totalAnswered(after) });
      await expectNoRejects();
    });

    it(`stops sending to an endpoint within ${CONVERGE_WITHIN_MS} ms of its removal from an EndpointSlice overwritten in place`, async () => {
      const { mesh, driver } = started();
      // Self-contained: the weights may not be 0/0/100 if the previous test failed.
      await mesh.setRouteWeights(ALL_TO_V3, 'rename');
      await awaitTraffic(driver, onlyAnsweredBy(V3_PODS), {
        withinMs: FIRST_ANSWER_WITHIN_MS,
        what: 'sending every RPC to v3 (precondition)',
      });
      const before = await driver.sendBatch(200);
      expect(before.byBackend[REMOVED_POD] ?? 0, `both v3 pods serve before the removal: ${JSON.stringify(before.byBackend)}`).toBeGreaterThan(0);
      expect(before.byBackend[KEPT_POD] ?? 0, `both v3 pods serve before the removal: ${JSON.stringify(before.byBackend)}`).toBeGreaterThan(0);

      await mesh.removeEndpoint(REMOVED_POD, 'overwrite');
      const converged = await awaitTraffic(driver, onlyAnsweredBy([KEPT_POD]), {
        withinMs: CONVERGE_WITHIN_MS,
        what: `sending every RPC to ${KEPT_POD} only`,
      });
      console.info(`${driver.description}: ${REMOVED_POD} out of rotation ${converged.afterMs.toFixed(0)} ms after the overwrite`);
      expect(converged.seenOnTheWay.failures, `during the removal: ${describeFailures(converged.seenOnTheWay)}`).toBe(0);
      const after = await driver.sendBatch(CONFIRM_RPCS);
      expect(after.failures, describeFailures(after)).toBe(0);
      expect(after.byBackend).toEqual({ [KEPT_POD]: totalAnswered(after) });
      await expectNoRejects();
    });
  });
}
