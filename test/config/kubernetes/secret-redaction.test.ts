/**
 * Secrets never leak: whatever a Secret list or watch holds (valid, invalid,
 * undecodable), no log line, reported error or error message carries its
 * data. A fake apiserver feeds the real KubernetesSource and ClientNodeKubeApi.
 */
import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { formatConfigError } from '../../../src/config/config-error.js';
import { SECRET_KUBE_KIND } from '../../../src/config/kubernetes/kind-table.js';
import { parseEvent } from '../../../src/config/kubernetes/kube-api.js';
import { KubernetesSource } from '../../../src/config/kubernetes/kubernetes-source.js';
import { toConfigObject } from '../../../src/config/kubernetes/to-config-object.js';
import { LogBuffer } from '../../helpers/log-buffer.js';

const PLAIN = 'TOP-SECRET-KEY-MATERIAL';
const B64 = Buffer.from(PLAIN).toString('base64');
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const secret = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Secret',
  metadata: { name, namespace: 'istio-system', resourceVersion: '5', annotations: { [LAST_APPLIED]: JSON.stringify({ data: { 'tls.key': B64 } }) } },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': B64, 'tls.key': B64 },
  ...extra,
});

function leaks(text: string): boolean {
  return text.includes(PLAIN) || text.includes(B64);
}

describe('Secret redaction', () => {
  it('quotes no part of an undecodable Secret watch line', () => {
    const line = `{"type":"ADDED","object":{"data":{"tls.key":"${B64}"}`;
    expect(() => parseEvent('/api/v1/secrets', line, true)).toThrow(/undecodable event: \(\d+ characters, not shown/);
    try {
      parseEvent('/api/v1/secrets', line, true);
    } catch (error) {
      expect(leaks((error as Error).message)).toBe(false);
    }
    // Other kinds keep the line, for debugging.
    expect(() => parseEvent('/api/v1/services', '{"bad', false)).toThrow(/undecodable event: \{"bad/);
    expect(() => parseEvent('/api/v1/secrets', `{"object":{"data":"${B64}"}}`, true)).toThrow(/event without a type: \(\d+ characters/);
  });

  it('reports an invalid Secret without its data, and stores a valid one without kubectl\'s last-applied copy', () => {
    const invalid = toConfigObject(SECRET_KUBE_KIND, secret('bad', { metadata: { name: 'bad', namespace: 'istio-system', labels: { a: 1 } } }));
    expect(invalid.errors?.length).toBe(1);
    expect(leaks(JSON.stringify(invalid.errors) + invalid.errors!.map(formatConfigError).join())).toBe(false);
    const valid = toConfigObject(SECRET_KUBE_KIND, secret('good'));
    expect(valid.object?.metadata.annotations).toEqual({});
    expect((valid.object?.content['metadata'] as Record<string, unknown>)['annotations']).toEqual({});
    expect((valid.object?.content['data'] as Record<string, string>)['tls.key']).toBe(B64);
  });

  describe('through the Kubernetes source', () => {
    let server: http.Server | undefined;
    let source: KubernetesSource | undefined;
    afterEach(async () => {
      await source?.close();
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    it('logs and reports nothing of a Secret list or watch, broken or not', async () => {
      const urls: string[] = [];
      let lists = 0;
      let watches = 0;
      server = http.createServer((request, response) => {
        urls.push(request.url ?? '');
        const url = new URL(request.url ?? '/', 'http://x');
        response.setHeader('content-type', 'application/json');
        if (url.searchParams.get('watch') !== '1') {
          lists += 1;
          // First list: a body that is not JSON, holding key material (JSON.parse would quote it).
          if (lists === 1) return void response.end(`{"kind":"SecretList","items":[{"data":{"tls.key":"${B64}"}} oops`);
          const invalid = secret('bad', { metadata: { name: 'bad', namespace: 'istio-system', resourceVersion: '6', labels: { a: 1 } } });
          return void response.end(JSON.stringify({ kind: 'SecretList', metadata: { resourceVersion: '10' }, items: [secret('good'), invalid] }));
        }
        watches += 1;
        response.writeHead(200);
        // First watch: an undecodable line holding key material; later watches stay open, quiet.
        if (watches === 1) return void response.end(`{"type":"MODIFIED","object":{"data":{"tls.key":"${B64}"}\n`);
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [{ name: 'u' }],
        contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
        currentContext: 'c',
      });
      const logs = new LogBuffer();
      const errors: string[] = [];
      source = new KubernetesSource({
        kubeConfig, kinds: [SECRET_KUBE_KIND], resyncMs: 0, syncTimeoutMs: 5_000,
        backoff: { initialMs: 10, maxMs: 50, jitter: 0 },
        logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
        onError: (error) => errors.push(JSON.stringify(error), formatConfigError(error)),
      });
      await source.start();
      const deadline = Date.now() + 5_000;
      while (watches < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));

      expect(source.synced()).toBe(true);
      expect(lists).toBeGreaterThanOrEqual(2);
      expect(watches).toBeGreaterThanOrEqual(2);
      expect(urls.every((u) => new URL(u, 'http://x').searchParams.get('fieldSelector') === 'type!=kubernetes.io/service-account-token,type!=helm.sh/release.v1')).toBe(true);
      expect(source.store.get('Secret/istio-system/good')).toBeDefined();
      expect(source.store.get('Secret/istio-system/bad')).toBeUndefined();
      expect(errors.length).toBeGreaterThan(0);
      // The failures were logged (so the check below is not vacuous) and none quotes the data.
      expect(logs.text()).toMatch(/not valid JSON \(\d+ characters, not shown/);
      expect(logs.text()).toMatch(/undecodable event: \(\d+ characters, not shown/);
      expect(leaks(logs.text())).toBe(false);
      expect(leaks(errors.join('\n'))).toBe(false);
      expect(leaks(JSON.stringify(source.status()))).toBe(false);
    });
  });
});
