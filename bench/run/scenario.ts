/**
 * One bench scenario: a fresh tsiod, its idle (N=0) footprint, a connect
 * storm of N clients, then C endpoint changes, each timed from the file
 * write to the last client's ACK of the EDS update. A fresh server per N
 * keeps the RSS slope clean: nothing allocated by an earlier, larger or
 * smaller run is still in its heap.
 */
import type { PodAllocator } from '../mesh/generate-mesh.js';
import { applyEndpointChange, serviceForChange } from '../mesh/endpoint-change.js';
import { serviceHost, type BenchMesh } from '../mesh/mesh-model.js';
import { nowMs } from '../sim/sim-context.js';
import { clientSpecs, type ModeMix } from './client-specs.js';
import { freePort } from './free-port.js';
import { machineBusyCpuSeconds, sampleProcess, type ProcSample } from './proc-stats.js';
import { scrapeServerMetrics } from './server-metrics.js';
import { ServerProcess } from './server-process.js';
import type { ChangeResult, ScenarioResult, TrafficDelta } from './scenario-result.js';
import { SimFleet, type FleetStatus } from './sim-fleet.js';
import { percentile, sleep } from './stats.js';

export interface ScenarioOptions {
  readonly repoDir: string;
  readonly serverEntry: string;
  readonly mesh: BenchMesh;
  readonly pods: PodAllocator;
  readonly clients: number;
  readonly mix: ModeMix;
  readonly changes: number;
  /** Offset of this scenario's changes, so each scenario edits different services. */
  readonly firstChange: number;
  readonly simProcesses: number;
  /** Where tsiod's V8 CPU profile goes (node --cpu-prof); none when undefined. */
  readonly cpuProfileDir?: string;
  /** Where the simulators' profiles go. */
  readonly simCpuProfileDir?: string;
  /** tsiod's complete output goes to this file. */
  readonly serverLogFile: string;
  readonly stormTimeoutMs: number;
  readonly changeTimeoutMs: number;
  /** How long without any response counts as "the server stopped sending". */
  readonly quietMs: number;
  readonly log: (line: string) => void;
}

function trafficBetween(before: FleetStatus, after: FleetStatus): TrafficDelta {
  const responsesByType: Record<string, { count: number; bytes: number }> = {};
  for (const [type, v] of Object.entries(after.responsesByType)) {
    const b = before.responsesByType[type] ?? { count: 0, bytes: 0 };
    if (v.count > b.count) responsesByType[type] = { count: v.count - b.count, bytes: v.bytes - b.bytes };
  }
  return { bytes: after.bytesReceived - before.bytesReceived, clientBytes: after.bytesSent - before.bytesSent, responsesByType };
}

/** Waits until no client has received anything for `quietMs`; returns the fleet status then. */
async function waitQuiet(fleet: SimFleet, quietMs: number, timeoutMs: number): Promise<FleetStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fleet.status();
    const idleFor = nowMs() - status.lastResponseAt;
    if (idleFor >= quietMs || Date.now() > deadline) return status;
    await sleep(Math.min(quietMs - idleFor + 10, 250));
  }
}

async function runChange(options: ScenarioOptions, fleet: SimFleet, n: number): Promise<ChangeResult> {
  const host = serviceHost(serviceForChange(options.mesh, n));
  await fleet.watch(n, host);
  const before = await fleet.status();
  const editAt = nowMs();
  const change = applyEndpointChange(options.mesh, options.pods, n);
  let timedOut = false;
  try {
    await fleet.waitWatchAcks(n, options.clients, options.changeTimeoutMs);
  } catch {
    timedOut = true;
  }
  const after = await waitQuiet(fleet, Math.min(options.quietMs, 500), 10_000);
  const latencies = [...(fleet.watchAcks.get(n)?.values() ?? [])].map((at) => at - editAt);
  const result: ChangeResult = {
    id: n,
    host,
    description: change.description,
    allAckedMs: timedOut ? null : Math.max(...latencies),
    acked: latencies.length,
    clientP50Ms: latencies.length ? percentile(latencies, 50) : null,
    clientP99Ms: latencies.length ? percentile(latencies, 99) : null,
    traffic: trafficBetween(before, after),
  };
  options.log(
    `  change ${n} (${change.description}): ${result.acked}/${options.clients} ACKed, ` +
      `all in ${result.allAckedMs === null ? 'TIMEOUT' : `${result.allAckedMs.toFixed(0)} ms`}, ${(result.traffic.bytes / 1024).toFixed(0)} KiB`,
  );
  return result;
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { log } = options;
  const xdsPort = await freePort();
  const monitoringPort = await freePort();
  log(`N=${options.clients}: starting tsiod (xDS :${xdsPort})`);
  const server = await ServerProcess.start({
    repoDir: options.repoDir, entry: options.serverEntry, configDir: options.mesh.dir, xdsPort, monitoringPort, cpuProfileDir: options.cpuProfileDir, readyTimeoutMs: 120_000, logFile: options.serverLogFile,
  });
  const fleet = new SimFleet(options.simProcesses, options.simCpuProfileDir);
  try {
    await sleep(3000);
    const idle: ProcSample = sampleProcess(server.pid);
    const metricsIdle = await scrapeServerMetrics(monitoringPort);
    log(`  N=0: RSS ${(idle.rssBytes / 2 ** 20).toFixed(1)} MiB, CPU ${idle.cpuSeconds.toFixed(2)} s to load the config`);

    await fleet.prepare(`127.0.0.1:${xdsPort}`, clientSpecs(options.mesh, options.clients, options.mix));
    const simBefore = await fleet.status();
    const serverBeforeStorm = sampleProcess(server.pid);
    const machineBeforeStorm = machineBusyCpuSeconds();

    await fleet.connect();
    log(`  connecting ${options.clients} clients`);
    let allConverged = true;
    try {
      await fleet.waitConverged(options.clients, options.stormTimeoutMs);
    } catch {
      allConverged = false;
    }
    const afterStorm = await waitQuiet(fleet, options.quietMs, 60_000);
    const serverAfterStorm = sampleProcess(server.pid);
    const machineAfterStorm = machineBusyCpuSeconds();
    const metricsAfterStorm = await scrapeServerMetrics(monitoringPort);
    const convergedTimes = [...fleet.convergedAt.values()].map((at) => at - fleet.connectAt);
    const storm: ScenarioResult['storm'] = {
      converged: afterStorm.converged,
      failed: afterStorm.failed,
      allConvergedMs: allConverged ? Math.max(...convergedTimes) : null,
      convergedP50Ms: convergedTimes.length ? percentile(convergedTimes, 50) : null,
      convergedP99Ms: convergedTimes.length ? percentile(convergedTimes, 99) : null,
      lastResponseMs: afterStorm.lastResponseAt - fleet.connectAt,
      traffic: trafficBetween(simBefore, afterStorm),
      unconvergedSamples: afterStorm.unconvergedSamples,
    };
    log(
      `  storm: ${storm.converged}/${options.clients} converged` +
        (storm.allConvergedMs === null ? ' (TIMEOUT)' : ` in ${(storm.allConvergedMs / 1000).toFixed(2)} s`) +
        `, ${(storm.traffic.bytes / 2 ** 20).toFixed(1)} MiB, server CPU ${(serverAfterStorm.cpuSeconds - serverBeforeStorm.cpuSeconds).toFixed(1)} s`,
    );
    for (const s of storm.unconvergedSamples) log(`    unconverged: ${s}`);
    for (const s of afterStorm.errorSamples) log(`    client error: ${s}`);

    const changes: ChangeResult[] = [];
    if (allConverged) {
      for (let c = 0; c < options.changes; c++) changes.push(await runChange(options, fleet, options.firstChange + c));
    } else {
      log('  skipping endpoint changes: not every client converged');
    }
    const afterChanges = await fleet.status();
    const serverAfterChanges = sampleProcess(server.pid);
    const machineAfterChanges = machineBusyCpuSeconds();
    const metricsAfterChanges = await scrapeServerMetrics(monitoringPort);
    const acked = changes.filter((c) => c.allAckedMs !== null).map((c) => c.allAckedMs!);

    return {
      clients: options.clients,
      mode: options.mix,
      simProcesses: options.simProcesses,
      storm,
      changes,
      changeSummary: {
        allAckedP50Ms: acked.length ? percentile(acked, 50) : null,
        allAckedP99Ms: acked.length ? percentile(acked, 99) : null,
        allAckedMaxMs: acked.length ? Math.max(...acked) : null,
        timedOut: changes.length - acked.length,
      },
      server: {
        rssIdleBytes: idle.rssBytes,
        rssAfterStormBytes: serverAfterStorm.rssBytes,
        rssAfterChangesBytes: serverAfterChanges.rssBytes,
        peakRssBytes: serverAfterChanges.peakRssBytes,
        rssGrowthPerProxyBytes: options.clients ? (serverAfterChanges.rssBytes - idle.rssBytes) / options.clients : 0,
        cpuSecondsStartup: idle.cpuSeconds,
        cpuSecondsStorm: serverAfterStorm.cpuSeconds - serverBeforeStorm.cpuSeconds,
        cpuSecondsChanges: serverAfterChanges.cpuSeconds - serverAfterStorm.cpuSeconds,
        warnings: server.warnings,
        errors: server.errors,
        errorSamples: server.errorSamples,
        metricsIdle,
        metricsAfterStorm,
        metricsAfterChanges,
      },
      sim: {
        cpuSecondsStorm: afterStorm.cpuSeconds - simBefore.cpuSeconds,
        cpuSecondsChanges: afterChanges.cpuSeconds - afterStorm.cpuSeconds,
        cpuSecondsTotal: afterChanges.cpuSeconds,
        rssBytes: afterChanges.rssBytes,
        eventLoopDelayMaxMs: afterChanges.eventLoopDelayMaxMs,
        memoHits: afterChanges.memoHits,
        memoMisses: afterChanges.memoMisses,
        errorSamples: afterChanges.errorSamples,
      },
      otherProcesses: {
        cpuSecondsStorm: machineAfterStorm - machineBeforeStorm - (serverAfterStorm.cpuSeconds - serverBeforeStorm.cpuSeconds) - (afterStorm.cpuSeconds - simBefore.cpuSeconds),
        cpuSecondsChanges:
          machineAfterChanges - machineAfterStorm - (serverAfterChanges.cpuSeconds - serverAfterStorm.cpuSeconds) - (afterChanges.cpuSeconds - afterStorm.cpuSeconds),
      },
      serverPid: server.pid,
      simPids: fleet.pids,
    };
  } catch (error) {
    log(`  tsiod output before the failure:\n${server.recentOutput()}`);
    throw error;
  } finally {
    await fleet.stop();
    await server.stop();
  }
}
