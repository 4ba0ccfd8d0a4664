/** The results table printed at the end of a bench run, and the JSON file written next to it. */
import type { SidecarScopeBytes } from './config-bytes.js';
import fs from 'node:fs';
import path from 'node:path';
import type { SelfTimeEntry } from './cpu-profile-summary.js';
import type { ScenarioResult } from './scenario-result.js';
import { MiB, round } from './stats.js';

export const TARGETS = {
  changeAllAckedP99Ms: 1000,
  stormConvergedMs: 30_000,
  rssGrowthPerProxyBytes: 100 * 1000,
} as const;

export interface CpuProfileSummary {
  readonly file: string;
  readonly topSelfTime: readonly SelfTimeEntry[];
}

export interface ProfiledScenario extends ScenarioResult {
  readonly cpuProfile?: CpuProfileSummary;
  readonly simCpuProfiles?: readonly CpuProfileSummary[];
}

/** Per-proxy memory between two client counts: discounts the fixed cost of the first proxies (caches, JIT). */
export interface MarginalMemory {
  readonly fromClients: number;
  readonly toClients: number;
  readonly rssPerProxyBytes: number;
  /** Same from V8 heap used (tsiod /metrics), when both runs reported it. */
  readonly heapUsedPerProxyBytes: number | null;
}

export function marginalMemory(scenarios: readonly ScenarioResult[]): MarginalMemory[] {
  const sorted = [...scenarios].sort((a, b) => a.clients - b.clients);
  const out: MarginalMemory[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b.clients === a.clients) continue;
    const n = b.clients - a.clients;
    const ha = a.server.metricsAfterChanges?.heapUsedBytes;
    const hb = b.server.metricsAfterChanges?.heapUsedBytes;
    out.push({
      fromClients: a.clients,
      toClients: b.clients,
      rssPerProxyBytes: (b.server.rssAfterChangesBytes - a.server.rssAfterChangesBytes) / n,
      heapUsedPerProxyBytes: ha !== undefined && hb !== undefined ? (hb - ha) / n : null,
    });
  }
  return out;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly totalMemoryBytes: number; readonly node: string };
  /** HEAD when the run started (+uncommitted-src when src/ had local changes). */
  readonly tsiodCommit: string;
  /** The CLI that was benchmarked and when it was built: `node bench/run.ts` alone does not rebuild. */
  readonly serverEntry: string;
  readonly serverBuiltAt: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly mesh: { readonly services: number; readonly namespaces: number; readonly pods: number; readonly trafficSplitServices: number };
  /** tsiod's debounce (--debounce-after default), included in every change latency. */
  readonly debounceMs: number;
  readonly targets: typeof TARGETS;
  readonly scenarios: readonly ProfiledScenario[];
  readonly marginalMemory: readonly MarginalMemory[];
  /** One sidecar's config bytes with and without a Sidecar limiting egress to its namespace. */
  readonly sidecarScope: SidecarScopeBytes;
}

type Cell = string;

function ms(v: number | null, digits = 0): Cell {
  return v === null ? 'n/a' : v.toFixed(digits);
}

function miss(value: number | null, limit: number): Cell {
  return value === null || value > limit ? ' ✗' : ' ✓';
}

function meanChangeBytes(s: ScenarioResult): number | null {
  return s.changes.length ? s.changes.reduce((n, c) => n + c.traffic.bytes, 0) / s.changes.length : null;
}

export function formatTable(report: BenchReport): string {
  const rows: [string, (s: ScenarioResult) => Cell, string][] = [
    ['simulator processes', (s) => String(s.simProcesses), ''],
    ['clients converged', (s) => `${s.storm.converged}/${s.clients}`, ''],
    ['storm: all converged (s)', (s) => (s.storm.allConvergedMs === null ? 'TIMEOUT ✗' : (s.storm.allConvergedMs / 1000).toFixed(2) + miss(s.storm.allConvergedMs, TARGETS.stormConvergedMs)), '≤ 30'],
    ['storm: client converged p50 / p99 (s)', (s) => `${ms(s.storm.convergedP50Ms && s.storm.convergedP50Ms / 1000, 2)} / ${ms(s.storm.convergedP99Ms && s.storm.convergedP99Ms / 1000, 2)}`, ''],
    ['storm: last response (s)', (s) => (s.storm.lastResponseMs / 1000).toFixed(2), ''],
    ['change → all ACKed p50 (ms)', (s) => ms(s.changeSummary.allAckedP50Ms), ''],
    ['change → all ACKed p99 (ms)', (s) => ms(s.changeSummary.allAckedP99Ms) + miss(s.changeSummary.allAckedP99Ms, TARGETS.changeAllAckedP99Ms), '≤ 1000'],
    ['change → per-client p50 (ms, median)', (s) => ms(s.changes.length ? median(s.changes.map((c) => c.clientP50Ms ?? Number.NaN)) : null), ''],
    ['changes timed out', (s) => `${s.changeSummary.timedOut}/${s.changes.length}`, ''],
    ['bytes sent: storm (MiB)', (s) => (s.storm.traffic.bytes / MiB).toFixed(1), ''],
    ['bytes sent: per change, mean (KiB)', (s) => ms(meanChangeBytes(s) === null ? null : meanChangeBytes(s)! / 1024), ''],
    ['server RSS N=0 (MiB)', (s) => (s.server.rssIdleBytes / MiB).toFixed(1), ''],
    ['server RSS after storm / changes (MiB)', (s) => `${(s.server.rssAfterStormBytes / MiB).toFixed(1)} / ${(s.server.rssAfterChangesBytes / MiB).toFixed(1)}`, ''],
    ['server V8 heap used / external after changes (MiB)', (s) => {
      const m = s.server.metricsAfterChanges;
      return m ? `${(m.heapUsedBytes / MiB).toFixed(1)} / ${(m.externalBytes / MiB).toFixed(1)}` : 'n/a';
    }, ''],
    ['server peak RSS (MiB)', (s) => (s.server.peakRssBytes / MiB).toFixed(1), ''],
    ['RSS growth per proxy (KB)', (s) => (s.server.rssGrowthPerProxyBytes / 1000).toFixed(1) + miss(s.server.rssGrowthPerProxyBytes, TARGETS.rssGrowthPerProxyBytes), '≤ 100'],
    ['server CPU s: load / storm / changes', (s) => `${s.server.cpuSecondsStartup.toFixed(1)} / ${s.server.cpuSecondsStorm.toFixed(1)} / ${s.server.cpuSecondsChanges.toFixed(1)}`, ''],
    ['sim CPU s: storm / changes', (s) => `${s.sim.cpuSecondsStorm.toFixed(1)} / ${s.sim.cpuSecondsChanges.toFixed(1)}`, ''],
    ['event-loop delay max: server in storm / sim (ms)', (s) => {
      const server = s.server.metricsAfterStorm;
      return `${server ? (server.eventLoopLagMaxSeconds * 1000).toFixed(0) : 'n/a'} / ${s.sim.eventLoopDelayMaxMs.toFixed(0)}`;
    }, ''],
    ['other processes CPU s: storm / changes', (s) => `${s.otherProcesses.cpuSecondsStorm.toFixed(1)} / ${s.otherProcesses.cpuSecondsChanges.toFixed(1)}`, ''],
    ['NACKs / stale nonces (tsiod metrics)', (s) => {
      const m = s.server.metricsAfterChanges;
      return m ? `${m.nacks} / ${m.staleNonces}` : 'n/a';
    }, ''],
    ['server log warnings / errors', (s) => `${s.server.warnings} / ${s.server.errors}`, ''],
  ];
  const header = ['', ...report.scenarios.map((s) => `N=${s.clients}`), 'target'];
  const body = rows.map(([label, cell, target]) => [label, ...report.scenarios.map(cell), target]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const title =
    `tsiod bench: S=${report.mesh.services} services (${report.mesh.pods} pods, ${report.mesh.trafficSplitServices} with subsets+split) ` +
    `over ${report.mesh.namespaces} namespaces, mode ${String(report.args['mode'])}, ${String(report.args['changes'])} endpoint changes ` +
    `(latency includes tsiod's ${report.debounceMs} ms debounce); ${report.machine.cpus} CPUs`;
  const marginal = report.marginalMemory.map(
    (m) =>
      `marginal memory per proxy N=${m.fromClients}→${m.toClients}: RSS ${(m.rssPerProxyBytes / 1000).toFixed(1)} KB` +
      (m.heapUsedPerProxyBytes === null ? '' : `, V8 heap used ${(m.heapUsedPerProxyBytes / 1000).toFixed(1)} KB`) +
      miss(m.rssPerProxyBytes, TARGETS.rssGrowthPerProxyBytes),
  );
  return [title, line(header), ...body.map(line), ...marginal].join('\n');
}

function median(values: readonly number[]): number | null {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!finite.length) return null;
  return finite[Math.floor((finite.length - 1) / 2)]!;
}

/** bench/results/<YYYY-MM-DD>-s<S>.json, with -sotw/-delta appended when not the default mixed mode. */
export function writeReport(resultsDir: string, report: BenchReport): string {
  fs.mkdirSync(resultsDir, { recursive: true });
  const mode = report.args['mode'];
  const suffix = mode === 'mixed' ? '' : `-${String(mode)}`;
  const file = path.join(resultsDir, `${report.startedAt.slice(0, 10)}-s${report.mesh.services}${suffix}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, roundNumbers, 2)}\n`);
  return file;
}

function roundNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? round(value, 2) : value;
}
