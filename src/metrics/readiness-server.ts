/**
 * istiod's plain-HTTP readiness port (8080): GET /ready, the same answer as
 * /ready on the monitoring port (15014).
 */
import http from 'node:http';

export interface ReadinessServer {
  readonly port: number;
  close(): Promise<void>;
}

/** `port` 0 picks a free port. */
export function startReadinessServer(host: string, port: number, ready: () => boolean): Promise<ReadinessServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const [status, body] = path !== '/ready' ? [404, 'not found\n'] : ready() ? [200, 'ready\n'] : [503, 'not ready\n'];
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
