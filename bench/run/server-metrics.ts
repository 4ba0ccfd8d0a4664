/**
 * A few numbers from tsiod's Prometheus endpoint: the V8 heap/external split
 * of its memory (prom-client default metrics), connected proxies, and the
 * xDS counters that reveal protocol trouble (NACKs, stale nonces).
 */
import http from 'node:http';

export interface ServerMetrics {
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
  readonly connectedProxies: number;
  readonly nacks: number;
  readonly staleNonces: number;
  /** Longest event-loop delay since the previous scrape, seconds (prom-client resets it on every scrape). */
  readonly eventLoopLagMaxSeconds: number;
}

function fetchText(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/** Sum of every sample of a metric family (all label combinations). */
function sumOf(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** Undefined when the endpoint does not answer: metrics are diagnostic, never a reason to fail a run. */
export async function scrapeServerMetrics(monitoringPort: number): Promise<ServerMetrics | undefined> {
  try {
    const text = await fetchText(`http://127.0.0.1:${monitoringPort}/metrics`, 10_000);
    return {
      heapUsedBytes: sumOf(text, 'nodejs_heap_size_used_bytes'),
      heapTotalBytes: sumOf(text, 'nodejs_heap_size_total_bytes'),
      externalBytes: sumOf(text, 'nodejs_external_memory_bytes'),
      connectedProxies: sumOf(text, 'pilot_xds'),
      nacks: sumOf(text, 'pilot_total_xds_rejects'),
      staleNonces: sumOf(text, 'tsiod_xds_stale_nonce_total'),
      eventLoopLagMaxSeconds: sumOf(text, 'nodejs_eventloop_lag_max_seconds'),
    };
  } catch {
    return undefined;
  }
}
