/**
 * ClientNodeKubeApi's paged list, against a scripted fake apiserver: it pages
 * as client-go's reflector does (limit, then each continue token to the
 * end), sends continuation pages without resourceVersion(Match) (which the
 * apiserver refuses beside a token), and when a continue token has expired
 * (410) starts the whole list over, a bounded number of times. The real
 * apiserver's 410 is in test/interop/kubernetes/paging.test.ts.
 */
import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientNodeKubeApi, KubeApiError } from '../../../src/config/kubernetes/kube-api.js';

type Reply = { status: number; body: unknown };

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A fake apiserver answering list requests with `reply`; returns the API and the query of each request. */
async function fake(reply: (query: URLSearchParams, index: number) => Reply, pageSize: number): Promise<{ api: ClientNodeKubeApi; queries: Record<string, string>[] }> {
  const queries: Record<string, string>[] = [];
  server = http.createServer((request, response) => {
    const query = new URL(request.url ?? '/', 'http://x').searchParams;
    queries.push(Object.fromEntries(query));
    const { status, body } = reply(query, queries.length - 1);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
    currentContext: 'c',
  });
  return { api: new ClientNodeKubeApi(kubeConfig, pageSize), queries };
}

const page = (items: string[], resourceVersion: string, next = ''): Reply => ({
  status: 200,
  body: { kind: 'ServiceList', metadata: { resourceVersion, ...(next ? { continue: next } : {}) }, items: items.map((name) => ({ metadata: { name } })) },
});
const expired: Reply = {
  status: 410,
  body: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410, message: 'The provided continue parameter is too old to display a consistent list result.' },
};
const names = (items: readonly unknown[]): string[] => items.map((item) => (item as { metadata: { name: string } }).metadata.name);

describe('ClientNodeKubeApi.list', () => {
  const signal = new AbortController().signal;

  it('follows continue tokens with the page size, dropping resourceVersion(Match) from continuation pages', async () => {
    const { api, queries } = await fake((query) => {
      const token = query.get('continue');
      if (!token) return page(['a', 'b'], '100', 't1');
      return token === 't1' ? page(['c', 'd'], '100', 't2') : page(['e'], '100');
    }, 2);
    const result = await api.list('/api/v1/services', { fieldSelector: 'x!=y', resourceVersion: '90', resourceVersionMatch: 'NotOlderThan' }, signal);
    expect(names(result.items)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(result.resourceVersion).toBe('100');
    expect(queries).toEqual([
      { fieldSelector: 'x!=y', resourceVersion: '90', resourceVersionMatch: 'NotOlderThan', limit: '2' },
      { fieldSelector: 'x!=y', continue: 't1', limit: '2' },
      { fieldSelector: 'x!=y', continue: 't2', limit: '2' },
    ]);
  });

  it('starts the list over from the first page when a continue token has expired, keeping nothing of the first try', async () => {
    const { api, queries } = await fake((query, index) => {
      const token = query.get('continue');
      if (!token) return index === 0 ? page(['a', 'gone'], '100', 'old') : page(['a', 'b'], '200', 'new');
      return token === 'old' ? expired : page(['c'], '200');
    }, 2);
    const restarts: string[] = [];
    const result = await api.list('/api/v1/services', {}, signal, { onListRestart: (error) => restarts.push(error.reason) });
    expect(restarts).toEqual(['Expired']);
    expect(names(result.items)).toEqual(['a', 'b', 'c']);
    expect(result.resourceVersion).toBe('200');
    expect(queries.map((q) => q['continue'] ?? '')).toEqual(['', 'old', '', 'new']);
  });

  it('gives up after three tries that each lose their continue token, with the 410', async () => {
    const { api, queries } = await fake((query) => (query.get('continue') ? expired : page(['a'], '1', 'tok')), 1);
    const error = await api.list('/api/v1/services', {}, signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).statusCode).toBe(410);
    expect(queries.map((q) => q['continue'] ?? '')).toEqual(['', 'tok', '', 'tok', '', 'tok']);
  });

  it('does not retry a 410 on the first page: that is the caller\'s (its resourceVersion is too old)', async () => {
    const { api, queries } = await fake(() => expired, 5);
    await expect(api.list('/api/v1/services', { resourceVersion: '5' }, signal)).rejects.toMatchObject({ statusCode: 410, reason: 'Expired' });
    expect(queries).toHaveLength(1);
  });
});
