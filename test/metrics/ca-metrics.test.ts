import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCaMetrics } from '../../src/metrics/ca-metrics.js';

async function sample(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value;
}

describe('CA server metrics', () => {
  it('exposes istiod\'s citadel_server_* names (security/pkg/server/ca/monitoring.go), without a _total suffix', async () => {
    const registry = new Registry();
    createCaMetrics(registry);
    const text = await registry.metrics();
    for (const name of [
      'citadel_server_csr_count',
      'citadel_server_success_cert_issuance_count',
      'citadel_server_authentication_failure_count',
      'citadel_server_csr_parsing_err_count',
      'citadel_server_csr_sign_err_count',
      'citadel_server_root_cert_expiry_timestamp',
      'citadel_server_root_cert_expiry_seconds',
      'citadel_server_cert_chain_expiry_timestamp',
      'citadel_server_cert_chain_expiry_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('# TYPE citadel_server_csr_count counter');
    expect(text).toContain('# TYPE citadel_server_root_cert_expiry_timestamp gauge');
  });

  it('counts each event, signing errors by istiod\'s error type label', async () => {
    const registry = new Registry();
    const metrics = createCaMetrics(registry);
    metrics.csrReceived();
    metrics.csrReceived();
    metrics.csrReceived();
    metrics.authenticationFailed();
    metrics.csrParsingFailed();
    metrics.signFailed('CSR_ERROR');
    metrics.signFailed('TTL_ERROR');
    metrics.signFailed('TTL_ERROR');
    metrics.certificateIssued();
    expect(await sample(registry, 'citadel_server_csr_count')).toBe(3);
    expect(await sample(registry, 'citadel_server_authentication_failure_count')).toBe(1);
    expect(await sample(registry, 'citadel_server_csr_parsing_err_count')).toBe(1);
    expect(await sample(registry, 'citadel_server_csr_sign_err_count', { error: 'CSR_ERROR' })).toBe(1);
    expect(await sample(registry, 'citadel_server_csr_sign_err_count', { error: 'TTL_ERROR' })).toBe(2);
    expect(await sample(registry, 'citadel_server_success_cert_issuance_count')).toBe(1);
  });

  it('records the root expiry as a unix timestamp and derives the seconds left at scrape time', async () => {
    const registry = new Registry();
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const metrics = createCaMetrics(registry, () => clock);
    const root = new Date('2035-01-01T00:00:00Z');
    metrics.recordCertExpiry({ root, certChain: new Date('2031-01-01T00:00:00Z') });
    expect(await sample(registry, 'citadel_server_root_cert_expiry_timestamp')).toBe(root.getTime() / 1000);
    expect(await sample(registry, 'citadel_server_cert_chain_expiry_timestamp')).toBe(Date.parse('2031-01-01T00:00:00Z') / 1000);
    expect(await sample(registry, 'citadel_server_root_cert_expiry_seconds')).toBe((root.getTime() - clock) / 1000);
    clock += 3_600_000;
    expect(await sample(registry, 'citadel_server_root_cert_expiry_seconds')).toBe((root.getTime() - clock) / 1000);
  });
});
