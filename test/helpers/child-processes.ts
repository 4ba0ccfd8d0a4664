/** Small process and port helpers shared by the peer launchers (Go peers, grpcio, kube-env). */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A port that was free on 127.0.0.1 a moment ago (the caller retries if another process takes it first). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port from 127.0.0.1:0'))));
    });
  });
}

/** Resolves true once the process has exited, or false after `ms` if it has not. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
