/**
 * istiod's monitoring port (15014): /metrics for Prometheus, /ready for
 * probes, /debug/syncz with each connected proxy's per-type sync state, and
 * any other read-only JSON debug views the caller hands in.
 */
import http from 'node:http';
import type { Registry } from 'prom-client';

export interface MonitoringSources {
  readonly registry: Registry;
  readonly ready: () => boolean;
  readonly syncz: () => unknown;
  /** More GET-able JSON views by path (e.g. /debug/configz). */
  readonly debug?: ReadonlyMap<string, () => unknown>;
}

export interface MonitoringServer {
  readonly port: number;
  close(): Promise<void>;
}

export function startMonitoringServer(host: string, port: number, sources: MonitoringSources): Promise<MonitoringServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (path === '/metrics') {
      sources.registry.metrics().then(
        (body) => reply(200, sources.registry.contentType, body),
        (err: unknown) => reply(500, 'text/plain', String(err)),
      );
    } else if (path === '/ready') {
      if (sources.ready()) reply(200, 'text/plain', 'ready\n');
      else reply(503, 'text/plain', 'not ready\n');
    } else if (path === '/debug/syncz') {
      reply(200, 'application/json', JSON.stringify(sources.syncz(), null, 2));
    } else if (path !== undefined && sources.debug?.has(path)) {
      reply(200, 'application/json', JSON.stringify(sources.debug.get(path)?.(), null, 2));
    } else {
      reply(404, 'text/plain', 'not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      resolve({
        port: bound,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
