/** Command-line flags of `npm run bench`. */
import { parseArgs } from 'node:util';
import type { ModeMix } from './client-specs.js';

export interface BenchArgs {
  readonly services: number;
  readonly namespaces: number;
  readonly clients: readonly number[];
  readonly mode: ModeMix;
  readonly changes: number;
  /**
   * Simulator processes per scenario; 'auto' is one per 1,250 clients. One
   * Node process holding 5,000 streams blocks its event loop for tens of
   * seconds at a time in a storm, long enough to miss the server's keepalive
   * pings, which real Envoys (one process each) never do.
   */
  readonly simProcesses: number | 'auto';
  /** Write a V8 CPU profile of each tsiod run under bench/results/. */
  readonly profile: boolean;
  readonly stormTimeoutMs: number;
  readonly changeTimeoutMs: number;
  readonly quietMs: number;
  /** The tsiod CLI entry to benchmark (default dist/cli/main.js). */
  readonly serverEntry: string | undefined;
  /** Only measure per-proxy config bytes with and without a Sidecar resource; start no tsiod. */
  readonly configBytesOnly: boolean;
}

const USAGE = `usage: npm run bench -- [--services 1000] [--namespaces 20] [--clients 1000,5000]
       [--mode mixed|sotw|delta] [--changes 10] [--sim-procs auto] [--profile]
       [--storm-timeout 120] [--change-timeout 30] [--quiet-ms 2000] [--server-entry dist/cli/main.js]
       [--config-bytes-only]`;

function positiveInt(name: string, value: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new Error(`--${name}: "${value}" is not a ${allowZero ? 'non-negative' : 'positive'} integer\n${USAGE}`);
  return n;
}

const CLIENTS_PER_SIM_PROCESS = 1_250;

export function simProcessesFor(args: Pick<BenchArgs, 'simProcesses'>, clients: number): number {
  return args.simProcesses === 'auto' ? Math.max(1, Math.ceil(clients / CLIENTS_PER_SIM_PROCESS)) : args.simProcesses;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      services: { type: 'string', default: '1000' },
      namespaces: { type: 'string', default: '20' },
      clients: { type: 'string', default: '1000,5000' },
      mode: { type: 'string', default: 'mixed' },
      changes: { type: 'string', default: '10' },
      'sim-procs': { type: 'string', default: 'auto' },
      profile: { type: 'boolean', default: false },
      'storm-timeout': { type: 'string', default: '120' },
      'change-timeout': { type: 'string', default: '30' },
      'quiet-ms': { type: 'string', default: '2000' },
      'server-entry': { type: 'string' },
      'config-bytes-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const mode = values.mode;
  if (mode !== 'mixed' && mode !== 'sotw' && mode !== 'delta') throw new Error(`--mode must be sotw, delta or mixed\n${USAGE}`);
  return {
    services: positiveInt('services', values.services),
    namespaces: positiveInt('namespaces', values.namespaces),
    clients: values.clients.split(',').map((c) => positiveInt('clients', c.trim())),
    mode,
    changes: positiveInt('changes', values.changes, true),
    simProcesses: values['sim-procs'] === 'auto' ? 'auto' : positiveInt('sim-procs', values['sim-procs']),
    profile: values.profile,
    stormTimeoutMs: positiveInt('storm-timeout', values['storm-timeout']) * 1000,
    changeTimeoutMs: positiveInt('change-timeout', values['change-timeout']) * 1000,
    quietMs: positiveInt('quiet-ms', values['quiet-ms']),
    serverEntry: values['server-entry'],
    configBytesOnly: values['config-bytes-only'],
  };
}
