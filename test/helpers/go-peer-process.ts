/**
 * Runs a Go peer from .peers/bin (grpc-go's xDS interop client or server) as a
 * child process serving on a free 127.0.0.1 port, and waits until it answers.
 *
 * The Go binaries take a port number, not an address, and listen on every
 * interface; tests only ever dial them on 127.0.0.1.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeLoopbackPort, waitForExit } from './child-processes.js';
import { goPeerPath, type GoPeer } from './interop-peers.js';
import { LogBuffer } from './log-buffer.js';

export interface GoPeerProcess {
  readonly port: number;
  /** The peer's stderr, and stdout lines nobody else consumed. */
  readonly logs: LogBuffer;
  /** Why the process is gone, or undefined while it runs. */
  exitReason(): string | undefined;
  stop(): Promise<void>;
}

export interface GoPeerProcessOptions {
  readonly peer: GoPeer;
  /** Command-line flags, given the port the peer is to serve on. */
  readonly args: (port: number) => readonly string[];
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Resolves once the peer serves on `port`; rejects while it does not yet. */
  readonly probe: (port: number) => Promise<void>;
  readonly readyWithinMs: number;
  /** Receives each stdout line, with the log buffer to keep it in or not (the default keeps every line). */
  readonly onStdoutLine?: (line: string, logs: LogBuffer) => void;
}

const PROBE_INTERVAL_MS = 100;
const STOP_GRACE_MS = 3_000;
/** A port found free can be taken by someone else before the peer binds it: try a fresh one. */
const PORT_ATTEMPTS = 3;

/**
 * bash runs the peer and watches its own stdin, which this process holds
 * open: EOF means this process is gone (even killed outright, when no exit
 * hook runs), and the peer is terminated instead of left running.
 */
export const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'peer=$!',
  '{ cat <&3 >/dev/null; kill -TERM "$peer" 2>/dev/null; } &',
  'watcher=$!',
  'exec 3<&-',
  'wait "$peer"',
  'status=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$status"',
].join('\n');

/** Signals the watchdog's whole process group (bash, the peer, the watcher): it was started detached. */
function signalGroup(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function launch(options: GoPeerProcessOptions, port: number): GoPeerProcess {
  const binary = goPeerPath(options.peer);
  const child = spawn('bash', ['-c', WATCHDOG, options.peer, binary, ...options.args(port)], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const logs = new LogBuffer();
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (options.onStdoutLine) options.onStdoutLine(line, logs);
    else logs.push(line);
  });
  let exited: string | undefined;
  child.on('error', (error) => {
    exited ??= `${options.peer} could not be started: ${error.message}`;
  });
  child.on('exit', (code, signal) => {
    exited ??= `${options.peer} exited (code ${code}, signal ${signal})`;
  });
  return {
    port,
    logs,
    exitReason: () => exited,
    async stop(): Promise<void> {
      child.stdin.end(); // also ends the watchdog's reader when the peer is already gone
      if (exited !== undefined) return;
      signalGroup(child, 'SIGTERM');
      if (!(await waitForExit(child, STOP_GRACE_MS))) {
        signalGroup(child, 'SIGKILL');
        await waitForExit(child, STOP_GRACE_MS);
      }
    },
  };
}

/** Polls the probe until it succeeds; returns why not when the process exits or time runs out. */
async function awaitReady(peer: GoPeerProcess, options: GoPeerProcessOptions): Promise<string | null> {
  const start = performance.now();
  let lastError = 'not probed yet';
  while (performance.now() - start < options.readyWithinMs) {
    const exited = peer.exitReason();
    if (exited !== undefined) return exited;
    try {
      await options.probe(peer.port);
      return null;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(PROBE_INTERVAL_MS);
  }
  return `${options.peer} not serving on 127.0.0.1:${peer.port} within ${options.readyWithinMs} ms (last probe: ${lastError})`;
}

export async function startGoPeerProcess(options: GoPeerProcessOptions): Promise<GoPeerProcess> {
  for (let attempt = 1; ; attempt += 1) {
    const peer = launch(options, await freeLoopbackPort());
    const problem = await awaitReady(peer, options);
    if (problem === null) return peer;
    await peer.stop();
    const portTaken = /address already in use/i.test(peer.logs.text());
    if (portTaken && attempt < PORT_ATTEMPTS) continue;
    throw new Error(`${problem}; its output:\n${peer.logs.text().slice(-4_000)}`);
  }
}
