/**
 * tsiod as a child process: `node dist/cli/main.js serve ...`, ready when it
 * logs msg "tsiod ready" (pino JSON on stdout). Keeps a tail of its output
 * and counts warnings/errors so that a misbehaving server is reported, not
 * silently measured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export interface ServerOptions {
  readonly repoDir: string;
  /** The tsiod CLI to run: dist/cli/main.js, or another build (a .ts entry runs under tsx). */
  readonly entry: string;
  readonly configDir: string;
  readonly xdsPort: number;
  readonly monitoringPort: number;
  /** Directory for a V8 CPU profile (node --cpu-prof); no profiling when undefined. */
  readonly cpuProfileDir?: string;
  readonly readyTimeoutMs: number;
  /** Every line tsiod writes (stdout and stderr) is also appended here. */
  readonly logFile: string;
}

const TAIL_LINES = 40;

export class ServerProcess {
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private exited: Promise<number | null>;
  private readonly log: fs.WriteStream;
  /** The CA's state (root key, local token key): created per run and removed when tsiod stops. */
  private readonly stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsiod-bench-state-'));
  warnings = 0;
  errors = 0;
  readonly errorSamples: string[] = [];

  private constructor(options: ServerOptions) {
    const entry = options.entry;
    if (!fs.existsSync(entry)) throw new Error(`${entry} not found: run npm run build first`);
    const nodeFlags = [
      ...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []),
      ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    ];
    const args = [
      ...nodeFlags, entry, 'serve',
      '--config-dir', options.configDir,
      '--host', '127.0.0.1',
      '--xds-port', String(options.xdsPort),
      '--monitoring-port', String(options.monitoringPort),
      // The CA runs as in production (its own state, a free port for 15012); the simulated proxies use plaintext xDS.
      '--secure-port', '0',
      '--state-dir', this.stateDir,
    ];
    this.log = fs.createWriteStream(options.logFile);
    this.child = spawn(process.execPath, args, { cwd: options.repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    readline.createInterface({ input: this.child.stderr! }).on('line', (line) => this.remember(`stderr: ${line}`));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('server process has no pid');
    return this.child.pid;
  }

  /** Starts tsiod and resolves once it has logged "tsiod ready". */
  static async start(options: ServerOptions): Promise<ServerProcess> {
    const server = new ServerProcess(options);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tsiod not ready after ${options.readyTimeoutMs} ms:\n${server.recentOutput()}`)), options.readyTimeoutMs);
      server.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`tsiod exited with code ${code} before it was ready:\n${server.recentOutput()}`));
      });
      readline.createInterface({ input: server.child.stdout! }).on('line', (line) => {
        if (server.onLogLine(line) === 'tsiod ready') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return server;
  }

  recentOutput(): string {
    return this.tail.join('\n');
  }

  /** SIGTERM (tsiod closes and exits, which also writes a --cpu-prof profile); SIGKILL if it hangs. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null) {
      fs.rmSync(this.stateDir, { recursive: true, force: true });
      return;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.log.end(resolve));
    fs.rmSync(this.stateDir, { recursive: true, force: true });
  }

  /** Returns the log message, counting warnings (pino level 40) and errors (50+). */
  private onLogLine(line: string): string | undefined {
    this.remember(line);
    let record: { level?: unknown; msg?: unknown };
    try {
      record = JSON.parse(line) as { level?: unknown; msg?: unknown };
    } catch {
      return undefined;
    }
    const level = typeof record.level === 'number' ? record.level : 0;
    if (level >= 50) {
      this.errors++;
      if (this.errorSamples.length < 10) this.errorSamples.push(line.slice(0, 500));
    } else if (level >= 40) this.warnings++;
    return typeof record.msg === 'string' ? record.msg : undefined;
  }

  private remember(line: string): void {
    this.log.write(`${line}\n`);
    this.tail.push(line.length > 1000 ? `${line.slice(0, 1000)}…` : line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }
}
