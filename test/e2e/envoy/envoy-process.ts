/** Runs a real Envoy (binary or Docker image) with a bootstrap file, on the host network, and reads its admin API. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EnvoyLauncher } from './find-envoy.js';

export interface RunningEnvoy {
  readonly adminPort: number;
  admin(pathAndQuery: string): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

export async function startEnvoy(launcher: EnvoyLauncher, bootstrap: Record<string, unknown>, workDir: string, adminPort: number, baseId: number): Promise<RunningEnvoy> {
  const file = path.join(workDir, `envoy-${baseId}.json`);
  await fs.writeFile(file, JSON.stringify(bootstrap, null, 2));
  const args = ['-c', file, '--base-id', String(baseId), '-l', 'info', '--disable-hot-restart'];
  let child: ChildProcess;
  if (launcher.kind === 'binary') {
    child = spawn(launcher.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    child = spawn('docker', ['run', '--rm', '--network', 'host', '-v', `${workDir}:${workDir}`, launcher.image, 'envoy', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  let log = '';
  child.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
  const admin = async (pathAndQuery: string): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${adminPort}${pathAndQuery}`);
    return res.text();
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`envoy exited with ${child.exitCode}:\n${log}`);
    try {
      if ((await admin('/ready')).trim() === 'LIVE') break;
    } catch {
      // admin not up yet
    }
    if (Date.now() > deadline) throw new Error(`envoy not LIVE within 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    adminPort,
    admin,
    output: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Envoy's /stats as a name → value map (counters and gauges). */
export function parseStats(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const i = line.lastIndexOf(': ');
    if (i > 0) {
      const v = Number(line.slice(i + 2));
      if (!Number.isNaN(v)) out.set(line.slice(0, i), v);
    }
  }
  return out;
}
