/**
 * What every traffic-management test of one client file shares: the behaving
 * backends, the config directory, tsiod serving it, and the client under
 * test; plus the checks every test ends with (no NACK on either side) and the
 * diagnostics printed when one fails.
 */
import { expect } from 'vitest';
import { startTsiodUnderTest, type TsiodUnderTest, plaintextXdsPort } from '../../helpers/tsiod-under-test.js';
import { readXdsRejects } from '../../helpers/xds-rejects-metric.js';
import { startBehavingBackends, type BehavingBackends } from '../backends/behaving-backends.js';
import { writeTrafficMesh, type Manifest, type MeshPod, type TrafficMesh } from './traffic-mesh.js';
import { PODS_BY_SUBSET } from './traffic-routing.js';
import type { TrafficProbe } from './traffic-probe.js';

export interface TrafficFixture {
  readonly backends: BehavingBackends;
  readonly mesh: TrafficMesh;
  readonly server: TsiodUnderTest;
  readonly probe: TrafficProbe;
}

export async function startTrafficFixture(
  routing: readonly Manifest[],
  startProbe: (xdsPort: number) => Promise<TrafficProbe>,
  onPartial: (partial: Partial<TrafficFixture>) => void,
): Promise<TrafficFixture> {
  const pods = Object.entries(PODS_BY_SUBSET).flatMap(([version, names]) => names.map((name) => ({ name, version })));
  const backends = await startBehavingBackends(pods.map((p) => p.name));
  onPartial({ backends });
  const mesh = await writeTrafficMesh(
    pods.map((p): MeshPod => ({ ...p, port: backends.portOf(p.name) })),
    routing,
  );
  onPartial({ backends, mesh });
  const server = await startTsiodUnderTest(mesh.path);
  onPartial({ backends, mesh, server });
  const probe = await startProbe(plaintextXdsPort(server.tsiod));
  const fixture = { backends, mesh, server, probe };
  onPartial(fixture);
  return fixture;
}

export async function stopTrafficFixture(partial: Partial<TrafficFixture>): Promise<void> {
  await partial.probe?.close();
  await partial.server?.tsiod.close();
  await partial.backends?.stop();
  await partial.mesh?.remove();
}

export async function printDiagnostics(clientName: string, reason: string, partial: Partial<TrafficFixture>): Promise<void> {
  const parts = [`==== ${clientName}: ${reason} ====`];
  if (partial.probe) {
    const nacked = await partial.probe.nackedResources().catch((error: unknown) => `unknown: ${String(error)}`);
    parts.push(`---- resources ${partial.probe.description} holds as NACKed ----\n${JSON.stringify(nacked, null, 2)}`);
    parts.push(`---- ${partial.probe.description} xDS trace (last lines) ----\n${partial.probe.recentLogs()}`);
  }
  if (partial.server) parts.push(`---- tsiod log (last lines) ----\n${partial.server.logs.text()}`);
  if (partial.mesh) parts.push(`---- config dir ${partial.mesh.path} ----\n${await partial.mesh.snapshot()}`);
  console.error(parts.join('\n'));
}

/**
 * Neither the client (its CSDS view) nor tsiod (pilot_total_xds_rejects) saw
 * a NACK: a client that rejects an update keeps acting on the last good
 * config, so behaviour alone could pass on stale config.
 */
export async function expectNoRejects(fixture: TrafficFixture): Promise<void> {
  const nacked = await fixture.probe.nackedResources();
  expect(nacked, `${fixture.probe.description} NACKed resources from tsiod`).toEqual([]);
  const port = fixture.server.tsiod.monitoringPort;
  if (port === null) throw new Error('tsiod was started with monitoring, but reports no monitoring port');
  const rejects = await readXdsRejects(port);
  if (rejects.exposed) expect(rejects.total, `tsiod counted xDS rejects:\n${rejects.samples.join('\n')}`).toBe(0);
  else console.warn('tsiod /metrics does not expose pilot_total_xds_rejects: only the client-side NACK check ran');
}
