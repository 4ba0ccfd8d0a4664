/**
 * Seed example 13, "istio retries example": up to 3 attempts, 2s each, to
 * the slow (timeout) version. Istio's retry.ConvertPolicy starts from its
 * default policy (retry_on "connect-failure,refused-stream,unavailable,
 * cancelled,retriable-status-codes", previous_hosts predicate, 5 host
 * selection attempts) and sets num_retries and per_try_timeout.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { curlIstio, endpointsOf, helloworldCluster, loadHelloworldExample, TIMEOUT_POD, type HelloworldExample } from './helpers/helloworld.js';
import { ingressGateway, wireProblems } from './helpers/proxy-config.js';

describe('seed: istio retries example', () => {
  let example: HelloworldExample;
  beforeAll(async () => {
    example = await loadHelloworldExample('retries');
  });

  it('sends /istio to version-v2, the timeout pod', () => {
    const result = curlIstio(example.gateway);
    expect(result.http?.action).toMatchObject({ kind: 'forward', targets: [{ cluster: helloworldCluster('version-v2'), weight: 100 }] });
    expect(endpointsOf(result, helloworldCluster('version-v2'))).toEqual([TIMEOUT_POD]);
  });

  it('retries 3 times with a 2s per-try timeout, on Istio\'s default conditions, on another host each time', () => {
    const action = curlIstio(example.gateway).http?.action;
    expect(action).toMatchObject({
      retryPolicy: {
        numRetries: 3,
        perTryTimeoutMs: 2000,
        retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
        retryHostPredicates: ['envoy.retry_host_predicates.previous_hosts'],
        hostSelectionRetryMaxAttempts: 5,
      },
    });
  });

  it('gives the gateway only resources Envoy accepts', () => {
    expect(wireProblems(example.snapshot, ingressGateway())).toEqual([]);
  });
});
