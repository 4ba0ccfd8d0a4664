/**
 * `npm run bench`: generates a mesh, then for each client count N starts a
 * fresh tsiod, connects N simulated Envoys at once (in separate simulator
 * processes, so their CPU is measured apart from the server's), makes
 * endpoint changes, and reports convergence, change latency, bytes, RSS and
 * CPU. Prints a table and writes bench/results/<date>-s<S>.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateMesh } from './mesh/generate-mesh.js';
import { parseBenchArgs, simProcessesFor } from './run/args.js';
import { profileOfPid, summariseCpuProfile } from './run/cpu-profile-summary.js';
import { formatTable, marginalMemory, TARGETS, writeReport, type BenchReport, type CpuProfileSummary, type ProfiledScenario } from './run/report.js';
import { runScenario } from './run/scenario.js';
import { formatSidecarScope, measureSidecarScope } from './run/config-bytes.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_DIR = path.dirname(BENCH_DIR);
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
/** tsiod's --debounce-after default; the bench does not override it. */
const TSIOD_DEBOUNCE_MS = 100;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function tsiodCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_DIR, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO_DIR, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+uncommitted-src` : head;
  } catch {
    return 'unknown';
  }
}

/** Renames V8's CPU.<date>.<pid>... file to something a reader can place, and summarises it. */
function collectProfile(pid: number, label: string): CpuProfileSummary | undefined {
  const file = profileOfPid(RESULTS_DIR, pid);
  if (!file) return undefined;
  const named = path.join(RESULTS_DIR, `${label}.cpuprofile`);
  fs.renameSync(file, named);
  return { file: path.relative(REPO_DIR, named), topSelfTime: summariseCpuProfile(named, REPO_DIR) };
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const serverEntry = path.resolve(args.serverEntry ?? path.join(REPO_DIR, 'dist', 'cli', 'main.js'));
  // Read now: the working tree may move on while the bench runs, the build under test does not.
  const commit = tsiodCommit();
  const meshDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsiod-bench-'));
  const { mesh, pods } = generateMesh({ dir: meshDir, services: args.services, namespaces: args.namespaces });
  const podCount = mesh.services.reduce((n, s) => n + s.pods.length, 0);
  log(`mesh: ${args.services} services, ${podCount} pods, ${args.namespaces} namespaces in ${meshDir}`);

  const sidecarScope = await measureSidecarScope(meshDir, mesh);
  log(formatSidecarScope(sidecarScope));
  if (args.configBytesOnly) {
    // A run without scenarios must not replace the day's results file.
    fs.rmSync(meshDir, { recursive: true, force: true });
    return;
  }
  const scenarios: ProfiledScenario[] = [];
  try {
    for (const [i, clients] of args.clients.entries()) {
      const label = `${startedAt.slice(0, 10)}-s${args.services}-n${clients}-${args.mode}`;
      const result = await runScenario({
        repoDir: REPO_DIR, serverEntry, mesh, pods, clients, mix: args.mode, changes: args.changes, firstChange: i * args.changes,
        simProcesses: simProcessesFor(args, clients), cpuProfileDir: args.profile ? RESULTS_DIR : undefined, simCpuProfileDir: args.profile ? RESULTS_DIR : undefined,
        serverLogFile: path.join(RESULTS_DIR, `${label}-tsiod.log`),
        stormTimeoutMs: args.stormTimeoutMs, changeTimeoutMs: args.changeTimeoutMs, quietMs: args.quietMs, log,
      });
      if (!args.profile) {
        scenarios.push(result);
        continue;
      }
      const cpuProfile = collectProfile(result.serverPid, label);
      const simCpuProfiles = result.simPids.flatMap((pid, k) => collectProfile(pid, `${label}-sim${k}`) ?? []);
      scenarios.push({ ...result, cpuProfile, simCpuProfiles });
    }
  } finally {
    fs.rmSync(meshDir, { recursive: true, force: true });
  }

  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', totalMemoryBytes: os.totalmem(), node: process.version },
    tsiodCommit: commit,
    serverEntry: path.relative(REPO_DIR, serverEntry),
    serverBuiltAt: fs.existsSync(serverEntry) ? fs.statSync(serverEntry).mtime.toISOString() : 'missing',
    args: { ...args },
    mesh: { services: args.services, namespaces: args.namespaces, pods: podCount, trafficSplitServices: mesh.services.filter((s) => s.trafficSplit).length },
    debounceMs: TSIOD_DEBOUNCE_MS,
    targets: TARGETS,
    scenarios,
    marginalMemory: marginalMemory(scenarios),
    sidecarScope,
  };
  const file = writeReport(RESULTS_DIR, report);
  console.log(formatTable(report));
  console.log(`\n${formatSidecarScope(sidecarScope)}`);
  for (const s of scenarios) {
    for (const [who, profile] of [['tsiod', s.cpuProfile], ...(s.simCpuProfiles ?? []).map((p, k) => [`simulator ${k}`, p] as const)] as const) {
      if (!profile) continue;
      console.log(`\n${who} CPU profile N=${s.clients} (${profile.file}), top self time:`);
      for (const e of profile.topSelfTime.slice(0, 12)) console.log(`  ${String(e.selfPercent).padStart(5)}%  ${String(e.selfMs).padStart(7)} ms  ${e.function}  ${e.location}`);
    }
  }
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
