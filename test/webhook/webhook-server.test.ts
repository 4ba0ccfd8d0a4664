import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTsiod } from '../../src/cli/serve.js';
import { createValidationMetrics } from '../../src/metrics/validation-metrics.js';
import { startReadinessServer } from '../../src/metrics/readiness-server.js';
import { istiodDnsNames, selfSignedServingCert, type ServingCert } from '../../src/webhook/serving-cert.js';
import { startWebhookServer, type WebhookServer } from '../../src/webhook/webhook-server.js';
import { LogBuffer } from '../helpers/log-buffer.js';

const BOOKINFO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/bookinfo');

interface Reply { status: number; type: string; body: string }

function request(port: number, ca: string, method: string, route: string, body?: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }, servername?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path: route, ca, headers, ...(servername ? { servername } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function admissionReview(object: unknown, operation = 'CREATE'): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'u-42', resource: { group: 'networking.istio.io', version: 'v1', resource: 'virtualservices' }, namespace: 'default', operation, object },
  });
}

const vs = (name: string, hosts: string[]): Record<string, unknown> => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'default' }, spec: { hosts, http: [{ route: [{ destination: { host: 'reviews' } }] }] } });

describe('self-signed serving certificate', () => {
  it('names istiod.<ns>.svc, its cluster.local form, localhost and 127.0.0.1, and is its own issuer', async () => {
    const cert = await selfSignedServingCert({ dnsNames: istiodDnsNames('istio-system'), ipAddresses: ['127.0.0.1'] });
    const x509 = new X509Certificate(cert.certPem);
    expect(x509.subjectAltName).toBe('DNS:istiod.istio-system.svc, DNS:istiod.istio-system.svc.cluster.local, DNS:localhost, IP Address:127.0.0.1');
    expect(x509.checkIssued(x509)).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 24 * 3600_000);
    expect(cert.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });
});

describe('webhook server', () => {
  let cert: ServingCert;
  let server: WebhookServer;
  let ready = false;
  const registry = new Registry();

  beforeAll(async () => {
    cert = await selfSignedServingCert({ dnsNames: istiodDnsNames('istio-system'), ipAddresses: ['127.0.0.1'] });
    server = await startWebhookServer({ host: '127.0.0.1', port: 0, cert, ready: () => ready, observer: createValidationMetrics(registry), maxBodyBytes: 64 * 1024 });
  });
  afterAll(async () => server?.close());

  it('is trusted through its own certificate, by IP and by DNS name', async () => {
    const byIp = await request(server.port, cert.certPem, 'POST', '/validate', admissionReview(vs('ok', ['reviews'])));
    expect(byIp.status).toBe(200);
    const byName = await request(server.port, cert.certPem, 'POST', '/validate', admissionReview(vs('ok', ['reviews'])), undefined, 'istiod.istio-system.svc');
    expect(byName.status).toBe(200);
  });

  it('answers AdmissionReviews: allowed, and denied with tsiod\'s message', async () => {
    const ok = await request(server.port, cert.certPem, 'POST', '/validate', admissionReview(vs('ok', ['reviews'])));
    expect(ok.type).toBe('application/json');
    expect(JSON.parse(ok.body)).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u-42', allowed: true } });
    const bad = await request(server.port, cert.certPem, 'POST', '/validate/', admissionReview(vs('bad', ['*'])));
    expect(JSON.parse(bad.body)).toEqual({
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      response: { uid: 'u-42', allowed: false, status: { code: 400, message: 'configuration is invalid: VirtualService default/bad: spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway' } },
    });
    const deleted = await request(server.port, cert.certPem, 'POST', '/validate', admissionReview(null, 'DELETE'));
    expect(JSON.parse(deleted.body).response).toEqual({ uid: 'u-42', allowed: true });
  });

  it('answers HTTP errors to garbage, wrong versions, wrong methods and types, and bodies over the limit, and keeps serving', async () => {
    const garbage = await request(server.port, cert.certPem, 'POST', '/validate', '{"apiVersion": ');
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatch(/^could not decode body: /);
    const empty = await request(server.port, cert.certPem, 'POST', '/validate', '');
    expect(empty).toMatchObject({ status: 400, body: 'no body found\n' });
    const v1beta1 = await request(server.port, cert.certPem, 'POST', '/validate', JSON.stringify({ ...JSON.parse(admissionReview(vs('a', ['a']))), apiVersion: 'admission.k8s.io/v1beta1' }));
    expect(v1beta1.status).toBe(400);
    expect(v1beta1.body).toMatch(/unsupported AdmissionReview apiVersion "admission.k8s.io\/v1beta1"/);
    const yaml = await request(server.port, cert.certPem, 'POST', '/validate', 'kind: AdmissionReview', { 'content-type': 'application/yaml' });
    expect(yaml.status).toBe(415);
    const get = await request(server.port, cert.certPem, 'GET', '/validate');
    expect(get.status).toBe(405);
    const huge = await request(server.port, cert.certPem, 'POST', '/validate', Buffer.alloc(65 * 1024, 0x20));
    expect(huge.status).toBe(413);
    const chunked = await request(server.port, cert.certPem, 'POST', '/validate', Buffer.alloc(65 * 1024, 0x20), { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(413);
    expect((await request(server.port, cert.certPem, 'GET', '/nothing')).status).toBe(404);
    const after = await request(server.port, cert.certPem, 'POST', '/validate', admissionReview(vs('ok', ['reviews'])));
    expect(JSON.parse(after.body).response.allowed).toBe(true);
  });

  it('serves /ready from the readiness it is given', async () => {
    ready = false;
    expect((await request(server.port, cert.certPem, 'GET', '/ready')).status).toBe(503);
    ready = true;
    expect(await request(server.port, cert.certPem, 'GET', '/ready')).toMatchObject({ status: 200, body: 'ready\n' });
  });

  it('counts with istiod\'s metric names and labels', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/^galley_validation_passed\{group="networking.istio.io",version="v1",resource="virtualservices"\} [1-9]/m);
    expect(text).toMatch(/^galley_validation_failed\{group="networking.istio.io",version="v1",resource="virtualservices",reason="invalid_resource"\} 1$/m);
    expect(text).toMatch(/^galley_validation_failed\{group="networking.istio.io",version="v1",resource="virtualservices",reason="unsupported_operation"\} 1$/m);
    expect(text).toMatch(/^galley_validation_http_error\{status="400"\} 3$/m);
    expect(text).toMatch(/^galley_validation_http_error\{status="413"\} 2$/m);
    expect(text).toMatch(/^galley_validation_http_error\{status="415"\} 1$/m);
  });
});

describe('readiness server', () => {
  it('serves /ready only, with the readiness it is given', async () => {
    let ready = false;
    const server = await startReadinessServer('127.0.0.1', 0, () => ready);
    try {
      const get = async (route: string): Promise<number> => (await fetch(`http://127.0.0.1:${server.port}${route}`)).status;
      expect(await get('/ready')).toBe(503);
      ready = true;
      expect(await get('/ready')).toBe(200);
      expect(await get('/metrics')).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('tsiod serve with the webhook and readiness ports', () => {
  it('serves both beside 15014, gives the caBundle, and never logs the private key', async () => {
    const logs = new LogBuffer();
    const tsiod = await startTsiod({
      configDir: BOOKINFO, host: '127.0.0.1', xdsPort: 0, monitoringPort: 0, webhookPort: 0, readinessPort: 0,
      logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(line) }),
    });
    try {
      expect(tsiod.webhookPort).toBeGreaterThan(0);
      const caBundle = tsiod.webhookCaBundle!;
      expect(new X509Certificate(caBundle).subjectAltName).toContain('DNS:istiod.istio-system.svc');
      const monitoringReady = (await fetch(`http://127.0.0.1:${tsiod.monitoringPort}/ready`)).status;
      expect((await fetch(`http://127.0.0.1:${tsiod.readinessPort}/ready`)).status).toBe(monitoringReady);
      expect(monitoringReady).toBe(200);
      expect((await request(tsiod.webhookPort!, caBundle, 'GET', '/ready')).status).toBe(200);
      const bad = await request(tsiod.webhookPort!, caBundle, 'POST', '/validate', admissionReview(vs('bad', ['*'])));
      expect(JSON.parse(bad.body).response.allowed).toBe(false);
      expect(await (await fetch(`http://127.0.0.1:${tsiod.monitoringPort}/metrics`)).text()).toMatch(/^galley_validation_failed\{.*reason="invalid_resource"\} 1$/m);
      expect(logs.text()).toMatch(/admission denied: configuration is invalid: VirtualService default\/bad/);
      expect(logs.text()).not.toMatch(/PRIVATE KEY/);
    } finally {
      await tsiod.close();
    }
  });

  it('serves the certificate it is given instead of making one', async () => {
    const given = await selfSignedServingCert({ dnsNames: ['tsiod.example.test'], ipAddresses: ['127.0.0.1'] });
    const tsiod = await startTsiod({ configDir: BOOKINFO, host: '127.0.0.1', xdsPort: 0, monitoringPort: null, webhookPort: 0, webhookTls: given, logger: pino({ level: 'silent' }) });
    try {
      expect(tsiod.webhookCaBundle).toBe(given.certPem);
      expect((await request(tsiod.webhookPort!, given.certPem, 'GET', '/ready', undefined, {}, 'tsiod.example.test')).status).toBe(200);
    } finally {
      await tsiod.close();
    }
  });

  it('is off unless asked for', async () => {
    const tsiod = await startTsiod({ configDir: BOOKINFO, host: '127.0.0.1', xdsPort: 0, monitoringPort: null, logger: pino({ level: 'silent' }) });
    try {
      expect(tsiod.webhookPort).toBeNull();
      expect(tsiod.webhookCaBundle).toBeNull();
      expect(tsiod.readinessPort).toBeNull();
    } finally {
      await tsiod.close();
    }
  });
});
