import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AnalysisReporter } from '../../src/cli/analysis-reporter.js';
import { DEFAULT_ANALYSIS_MESH } from '../../src/config/analysis/context.js';
import type { ConfigObject } from '../../src/config/config-object.js';
import { loadConfigText } from '../../src/config/load-config-text.js';

function objects(yaml: string): ConfigObject[] {
  return [...loadConfigText('mesh.yaml', yaml).objects];
}

const MISSING_GATEWAY = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  gateways: [bookinfo-gateway]
  http: [{route: [{destination: {host: reviews}}]}]
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
`;
const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';

function setup(initial: ConfigObject[], intervalMs = 1_000) {
  const logs: { level: number; msg: string; code: string; origin: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  let current = initial;
  const reporter = new AnalysisReporter({ logger, mesh: () => DEFAULT_ANALYSIS_MESH, objects: () => current, intervalMs });
  return { reporter, logs, set: (next: ConfigObject[]) => (current = next) };
}

describe('AnalysisReporter', () => {
  it('logs each message once, when it appears, and again if it comes back', () => {
    const { reporter, logs, set } = setup(objects(MISSING_GATEWAY + '---\n' + NAMESPACE));
    expect(reporter.run().map((m) => m.code)).toEqual(['IST0101', 'IST0102']);
    expect(logs.map((l) => [l.level, l.code, l.origin, l.msg])).toEqual([
      [40, 'IST0101', 'VirtualService default/reviews', 'analysis: Error [IST0101] (VirtualService default/reviews) Referenced gateway not found: "bookinfo-gateway"'],
      [30, 'IST0102', 'Namespace shop', expect.stringMatching(/^analysis: Info \[IST0102\] \(Namespace shop\) The namespace is not enabled/)],
    ]);
    expect(reporter.run()).toEqual([]);
    set(objects(NAMESPACE));
    expect(reporter.run()).toEqual([]);
    set(objects(MISSING_GATEWAY + '---\n' + NAMESPACE));
    expect(reporter.run().map((m) => m.code)).toEqual(['IST0101']);
    expect(logs).toHaveLength(3);
  });

  it('coalesces a burst of changes into one run, at most one per interval', async () => {
    const { reporter, logs, set } = setup([], 200);
    reporter.schedule();
    await new Promise((resolve) => setTimeout(resolve, 20));
    set(objects(NAMESPACE));
    reporter.schedule();
    reporter.schedule();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logs).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(logs.map((l) => l.code)).toEqual(['IST0102']);
    reporter.close();
  });
});
