/** What one bench scenario measured (see bench/results/README.md for each field). */
import type { ModeMix } from './client-specs.js';
import type { ServerMetrics } from './server-metrics.js';

export interface TrafficDelta {
  readonly bytes: number;
  readonly clientBytes: number;
  readonly responsesByType: Record<string, { count: number; bytes: number }>;
}

export interface ChangeResult {
  readonly id: number;
  readonly host: string;
  readonly description: string;
  /** Edit (file write) to the last client's ACK of an EDS response carrying the host, ms. */
  readonly allAckedMs: number | null;
  readonly acked: number;
  readonly clientP50Ms: number | null;
  readonly clientP99Ms: number | null;
  readonly traffic: TrafficDelta;
}

export interface ScenarioResult {
  readonly clients: number;
  readonly mode: ModeMix;
  readonly simProcesses: number;
  readonly storm: {
    readonly converged: number;
    readonly failed: number;
    /** Connect to the last client converged, ms (null if not all converged in time). */
    readonly allConvergedMs: number | null;
    readonly convergedP50Ms: number | null;
    readonly convergedP99Ms: number | null;
    /** Connect to the last response of the storm (the server stopped sending), ms. */
    readonly lastResponseMs: number;
    readonly traffic: TrafficDelta;
    readonly unconvergedSamples: readonly string[];
  };
  readonly changes: readonly ChangeResult[];
  readonly changeSummary: { readonly allAckedP50Ms: number | null; readonly allAckedP99Ms: number | null; readonly allAckedMaxMs: number | null; readonly timedOut: number };
  readonly server: {
    readonly rssIdleBytes: number;
    readonly rssAfterStormBytes: number;
    readonly rssAfterChangesBytes: number;
    readonly peakRssBytes: number;
    /** (RSS after changes − RSS at N=0) / N. */
    readonly rssGrowthPerProxyBytes: number;
    readonly cpuSecondsStartup: number;
    readonly cpuSecondsStorm: number;
    readonly cpuSecondsChanges: number;
    readonly warnings: number;
    readonly errors: number;
    readonly errorSamples: readonly string[];
    /** From tsiod's /metrics at N=0, after the storm and after the changes (absent if it did not answer). */
    readonly metricsIdle?: ServerMetrics;
    readonly metricsAfterStorm?: ServerMetrics;
    readonly metricsAfterChanges?: ServerMetrics;
  };
  readonly sim: {
    readonly cpuSecondsStorm: number;
    readonly cpuSecondsChanges: number;
    readonly cpuSecondsTotal: number;
    readonly rssBytes: number;
    /** Longest event-loop delay of any simulator process during the run, ms. */
    readonly eventLoopDelayMaxMs: number;
    readonly memoHits: number;
    readonly memoMisses: number;
    readonly errorSamples: readonly string[];
  };
  /**
   * CPU seconds used by everything else on the machine (machine busy time minus
   * tsiod and the simulators): noise from other work sharing the CPUs.
   */
  readonly otherProcesses: { readonly cpuSecondsStorm: number; readonly cpuSecondsChanges: number };
  readonly serverPid: number;
  readonly simPids: readonly number[];
}
