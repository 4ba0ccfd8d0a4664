import { describe, expect, it } from 'vitest';
import { reviewAdmission, type AdmissionOutcome } from '../../src/webhook/admission.js';
import type { ValidatedResource, ValidationFailureReason, ValidationObserver } from '../../src/metrics/validation-metrics.js';

const VS_RESOURCE = { group: 'networking.istio.io', version: 'v1', resource: 'virtualservices' };

function virtualService(name: string, spec: Record<string, unknown>, namespace?: string): Record<string, unknown> {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, ...(namespace ? { namespace } : {}) }, spec };
}

function review(object: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'uid-1',
      kind: { group: 'networking.istio.io', version: 'v1', kind: 'VirtualService' },
      resource: VS_RESOURCE,
      namespace: 'bookinfo',
      operation: 'CREATE',
      object,
      ...overrides,
    },
  };
}

class Counts implements ValidationObserver {
  readonly events: string[] = [];
  passed(r: ValidatedResource): void { this.events.push(`passed ${r.group}/${r.version}/${r.resource}`); }
  failed(r: ValidatedResource, reason: ValidationFailureReason): void { this.events.push(`failed ${r.resource} ${reason}`); }
  httpError(status: number): void { this.events.push(`http ${status}`); }
}

function response(outcome: AdmissionOutcome): { uid: string; allowed: boolean; status?: { code: number; message: string } } {
  if (!outcome.review) throw new Error(`expected a review, got HTTP ${outcome.httpStatus}: ${outcome.error}`);
  expect(outcome.review.apiVersion).toBe('admission.k8s.io/v1');
  expect(outcome.review.kind).toBe('AdmissionReview');
  return outcome.review.response;
}

describe('reviewAdmission', () => {
  it('allows a valid VirtualService and counts it as passed', () => {
    const counts = new Counts();
    const out = response(reviewAdmission(review(virtualService('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] }, 'bookinfo')), { observer: counts }));
    expect(out).toEqual({ uid: 'uid-1', allowed: true });
    expect(counts.events).toEqual(['passed networking.istio.io/v1/virtualservices']);
  });

  it('denies an invalid VirtualService with code 400 and the message naming kind, namespace/name and field', () => {
    const counts = new Counts();
    const out = response(reviewAdmission(review(virtualService('bad', { hosts: ['*'], http: [{ route: [{ destination: { host: 'reviews' }, weight: 300 }] }] })), { observer: counts }));
    expect(out.allowed).toBe(false);
    expect(out.uid).toBe('uid-1');
    expect(out.status?.code).toBe(400);
    // The namespace comes from the request when the object leaves it out.
    expect(out.status?.message).toMatch(/^configuration is invalid: VirtualService bookinfo\/bad: spec\.hosts\[0\]: wildcard host \* is not allowed for virtual services bound to the mesh gateway/);
    expect(out.status?.message).toContain('VirtualService bookinfo/bad: spec.http[0].route[0].weight:');
    expect(counts.events).toEqual(['failed virtualservices invalid_resource']);
  });

  it('checks DestinationRules and Gateways with their own validators', () => {
    const dr = response(reviewAdmission(review({ apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule', metadata: { name: 'dr', namespace: 'ns' }, spec: {} })));
    expect(dr.allowed).toBe(false);
    expect(dr.status?.message).toMatch(/^configuration is invalid: DestinationRule ns\/dr: spec\.host:/);
    const gw = response(reviewAdmission(review({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'ns' }, spec: { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] } })));
    expect(gw.allowed).toBe(true);
  });

  it('allows DELETE without looking at the object, counted as Istio does (unsupported_operation)', () => {
    const counts = new Counts();
    const out = response(reviewAdmission(review(null, { operation: 'DELETE', oldObject: virtualService('x', {}) }), { observer: counts }));
    expect(out).toEqual({ uid: 'uid-1', allowed: true });
    expect(counts.events).toEqual(['failed virtualservices unsupported_operation']);
  });

  it('validates UPDATE like CREATE', () => {
    const out = response(reviewAdmission(review(virtualService('bad', { hosts: ['*'] }, 'ns'), { operation: 'UPDATE' })));
    expect(out.allowed).toBe(false);
    expect(out.status?.message).toContain('VirtualService ns/bad: spec.hosts[0]: wildcard host * is not allowed');
  });

  it('denies an unknown kind, a missing object and an unknown top-level field on an Istio object', () => {
    const counts = new Counts();
    const unknown = response(reviewAdmission(review({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns' } }), { observer: counts }));
    expect(unknown.allowed).toBe(false);
    expect(unknown.status?.message).toBe('unrecognized type: Widget ns/w: kind: unknown kind Widget (apiVersion example.com/v1)');
    const missing = response(reviewAdmission(review(undefined), { observer: counts }));
    expect(missing.status?.message).toBe('cannot decode configuration: request.object is missing');
    const extra = response(reviewAdmission(review({ ...virtualService('vs', { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }] }] }, 'ns'), spek: {} }), { observer: counts }));
    expect(extra.status?.message).toBe('unknown field "spek" on VirtualService resource ns/vs');
    expect(counts.events).toEqual(['failed virtualservices unknown_type', 'failed virtualservices yaml_decode_error', 'failed virtualservices invalid_resource']);
  });

  it('names a generateName object by its prefix', () => {
    const out = response(reviewAdmission(review({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { generateName: 'gen-' }, spec: { hosts: ['reviews'] } })));
    expect(out.status?.message).toMatch(/^configuration is invalid: VirtualService bookinfo\/gen-: spec: http, tcp or tls must be provided/);
  });

  it('answers HTTP 400 to a body that is no AdmissionReview v1, never throwing', () => {
    const counts = new Counts();
    const cases: Array<[unknown, RegExp]> = [
      ['garbage', /expected a JSON object/],
      [null, /expected a JSON object/],
      [[1, 2], /expected a JSON object/],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'Pod' }, /not an AdmissionReview: kind is "Pod"/],
      [{ ...review(virtualService('a', {})), apiVersion: 'admission.k8s.io/v1beta1' }, /unsupported AdmissionReview apiVersion "admission.k8s.io\/v1beta1": only admission.k8s.io\/v1/],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /has no request/],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { operation: 'CREATE' } }, /has no uid/],
    ];
    for (const [body, message] of cases) {
      const outcome = reviewAdmission(body, { observer: counts });
      expect(outcome.httpStatus).toBe(400);
      expect(outcome.error).toMatch(message);
    }
    expect(counts.events).toEqual(cases.map(() => 'http 400'));
  });

  it('never throws on junk inside a well-formed review', () => {
    const junk: unknown[] = [1, 'x', [], { kind: 5 }, { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: 'x' },
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a', labels: { a: 1 } }, spec: [] },
      { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a' }, spec: { hosts: 'x', http: 5 } }];
    for (const object of junk) {
      const out = response(reviewAdmission(review(object, { resource: 'not-an-object' })));
      expect(out.allowed).toBe(false);
      expect(out.status?.message.length).toBeGreaterThan(0);
    }
  });
});
