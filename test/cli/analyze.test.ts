/**
 * `tsiod analyze`: in-process through runAnalyze (exit codes, streams,
 * formats) and once through the real command line. Cluster mode runs against
 * a real kube-apiserver in test/interop/kubernetes/analyze.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalyze, type AnalyzeOptions } from '../../src/cli/analyze.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function analyzeWith(options: AnalyzeOptions, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runAnalyze(options, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

const BROKEN_MESH = `apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: default
spec:
  selector:
    app: reviews
  ports:
    - name: http
      port: 9080
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: default
spec:
  hosts:
    - reviews
  gateways:
    - bookinfo-gateway
  http:
    - route:
        - destination:
            host: reviews
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
`;

const GATEWAY_LINE = 'Error [IST0101] (VirtualService default/reviews mesh.yaml#2) Referenced gateway not found: "bookinfo-gateway"';
const NAMESPACE_LINE = "Info [IST0102] (Namespace shop mesh.yaml#3) The namespace is not enabled for Istio injection. Run 'kubectl label namespace shop istio-injection=enabled' to enable it, or 'kubectl label namespace shop istio-injection=disabled' to explicitly mark it as not needing injection.";

describe('tsiod analyze -f', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tsiod-analyze-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function mesh(files: Readonly<Record<string, string>>): Promise<string> {
    const target = await mkdtemp(path.join(dir, 'mesh-'));
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(target, name), text);
    return target;
  }

  it('prints each message as istioctl does and exits 79 when there is an error', async () => {
    const target = await mesh({ 'mesh.yaml': BROKEN_MESH });
    const run = await analyzeWith({ configDir: target });
    expect(run.code).toBe(79);
    expect(run.stdout).toBe(`${GATEWAY_LINE}\n${NAMESPACE_LINE}\n`);
    expect(run.stderr).toBe(`Error: Analyzers found issues when analyzing ${target}.\nSee https://istio.io/latest/docs/reference/config/analysis for more information about causes and resolutions.\n`);
  });

  it('finds no errors in examples/bookinfo', async () => {
    const run = await analyzeWith({ configDir: 'examples/bookinfo' });
    expect(run).toEqual({ code: 0, stdout: '\n', stderr: '\u2714 No validation issues found when analyzing examples/bookinfo.\n' });
  });

  it('honours the thresholds and the namespace filter', async () => {
    const target = await mesh({ 'mesh.yaml': BROKEN_MESH });
    expect((await analyzeWith({ configDir: target, outputThreshold: 'error' })).stdout).toBe(`${GATEWAY_LINE}\n`);
    expect((await analyzeWith({ configDir: target, failureThreshold: 'Info', namespace: 'shop' })).code).toBe(79);
    const shop = await analyzeWith({ configDir: target, namespace: 'shop' });
    expect(shop).toMatchObject({ code: 0, stdout: `${NAMESPACE_LINE}\n` });
    expect((await analyzeWith({ configDir: target, namespace: 'shop', allNamespaces: true })).code).toBe(79);
  });

  it('exits 0 with json and yaml output, as istioctl does, so the output can be piped', async () => {
    const target = await mesh({ 'mesh.yaml': BROKEN_MESH });
    const json = await analyzeWith({ configDir: target, output: 'json' });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        code: 'IST0101',
        documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0101/',
        level: 'Error',
        message: 'Referenced gateway not found: "bookinfo-gateway"',
        origin: 'VirtualService default/reviews',
        reference: 'mesh.yaml#2',
      },
      expect.objectContaining({ code: 'IST0102', level: 'Info', origin: 'Namespace shop', reference: 'mesh.yaml#3' }),
    ]);
    const yaml = await analyzeWith({ configDir: target, output: 'yaml', outputThreshold: 'Error' });
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toBe(
      '- code: IST0101\n  documentationUrl: https://istio.io/latest/docs/reference/config/analysis/ist0101/\n  level: Error\n' +
        '  message: \'Referenced gateway not found: "bookinfo-gateway"\'\n  origin: VirtualService default/reviews\n  reference: mesh.yaml#2\n\n',
    );
  });

  it('exits 65 when documents could not be read and the rest is fine, skipping kinds tsiod does not read', async () => {
    const target = await mesh({
      'broken.yaml': 'kind: [\n',
      'deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: reviews\n',
    });
    const run = await analyzeWith({ configDir: target });
    expect(run.code).toBe(65);
    expect(run.stdout).toBe('\n');
    expect(run.stderr).toContain('Skipping 1 document of kinds tsiod does not read: Deployment\n');
    expect(run.stderr).toContain('Error(s) adding files:\n  broken.yaml#1: document 1 is not valid YAML');
    expect(run.stderr).toContain(`No validation issues found when analyzing ${target} (but 1 document could not be read).\n`);
    expect(run.stderr).toContain('Error: Some files couldn\'t be parsed.\n');
  });

  it('refuses bad usage with 64 and a missing directory with 1', async () => {
    expect((await analyzeWith({ configDir: 'examples/bookinfo', output: 'xml' })).code).toBe(64);
    expect((await analyzeWith({ configDir: 'examples/bookinfo', failureThreshold: 'fatal' })).code).toBe(64);
    expect((await analyzeWith({ configDir: 'examples/bookinfo', analyzer: ['no.SuchAnalyzer'] })).code).toBe(64);
    expect((await analyzeWith({})).code).toBe(64);
    expect((await analyzeWith({ configDir: 'examples/bookinfo', kubeconfig: '/k' })).code).toBe(64);
    const missing = await analyzeWith({ configDir: path.join(dir, 'nope') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^Error: .*ENOENT/);
  });

  it('lists the analyzers', async () => {
    const run = await analyzeWith({ listAnalyzers: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('* virtualservice.GatewayAnalyzer:\n    Checks the gateways associated with each virtual service\n');
  });

  it('runs from the command line with the same output and exit code', async () => {
    const target = await mesh({ 'mesh.yaml': BROKEN_MESH });
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'analyze', '-f', target, '--output-threshold', 'Error'], { cwd: ROOT, env: { ...process.env, TERM: 'dumb' } }, (error, stdout, stderr) => {
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
    expect(result.stdout).toBe(`${GATEWAY_LINE}\n`);
    expect(result.code).toBe(79);
  }, 60_000);
});
