/**
 * Reads tsiod's count of xDS NACKs (Istio's pilot_total_xds_rejects) from its
 * monitoring /metrics endpoint: the server-side view of "a client rejected config".
 */
const METRIC = 'pilot_total_xds_rejects';

export interface XdsRejects {
  /** False when /metrics does not declare the metric at all. */
  readonly exposed: boolean;
  /** Sum over all label sets (resource types). */
  readonly total: number;
  /** The metric's sample lines, for failure messages. */
  readonly samples: readonly string[];
}

export function parseXdsRejects(exposition: string): XdsRejects {
  const lines = exposition.split('\n');
  const exposed = lines.some((l) => l.startsWith(`# TYPE ${METRIC} `));
  const samples = lines.filter((l) => l.startsWith(`${METRIC}{`) || l.startsWith(`${METRIC} `));
  const total = samples.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { exposed, total, samples };
}

export async function readXdsRejects(monitoringPort: number): Promise<XdsRejects> {
  const response = await fetch(`http://127.0.0.1:${monitoringPort}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics on 127.0.0.1:${monitoringPort}: HTTP ${response.status}`);
  return parseXdsRejects(await response.text());
}
