/** The CRD-schema half of validation (@kubernetes-models/istio), and how its errors are named. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocuments } from '../../../src/config/parse-documents.js';
import { readObjects } from '../../../src/config/read-object.js';
import { fieldPath } from '../../../src/config/validation/istio-schema.js';
import { validateObject, type ValidateOptions } from '../../../src/config/validation/validate-object.js';
import { parse } from 'yaml';
import { problems } from './validate.js';

/** validateObject's messages for one YAML document, as "path: message". */
function check(yaml: string, options: ValidateOptions): string[] {
  const read = readObjects(parse(yaml), 't.yaml#1', 1);
  expect(read.errors).toEqual([]);
  return read.objects.flatMap((o) => validateObject(o, options)).map((e) => `${e.path ?? ''}: ${e.message}`);
}
const strict = (yaml: string): string[] => check(yaml, { unknownFields: 'reject' });

const VS = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [r]\n';

describe('Istio CRD schema checks', () => {
  it('names fields as the semantic rules do: list elements in brackets, map keys after a dot, even numeric ones', () => {
    const document = { spec: { http: [{ route: [{}] }], portLevelMtls: { '80': { mode: 'x' } } } };
    expect(fieldPath('/spec/http/0/route/0/weight', document)).toBe('spec.http[0].route[0].weight');
    expect(fieldPath('/spec/portLevelMtls/80/mode', document)).toBe('spec.portLevelMtls.80.mode');
    expect(fieldPath('/spec/a~1b/c~0d', { spec: {} })).toBe('spec.a/b.c~d');
  });

  it('checks fields tsiod\'s own rules do not read, in every served version', () => {
    for (const version of ['v1', 'v1beta1', 'v1alpha3']) {
      expect(problems(`apiVersion: networking.istio.io/${version}\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy:\n    tunnel: {protocol: 5, targetHost: x, targetPort: 80}\n`)).toEqual([
        'spec.trafficPolicy.tunnel.protocol: must be a string',
      ]);
    }
    for (const version of ['v1', 'v1beta1']) {
      expect(problems(`apiVersion: security.istio.io/${version}\nkind: RequestAuthentication\nmetadata: {name: r}\nspec:\n  jwtRules: [{issuer: a, fromHeaders: [{name: x, prefix: 7}]}]\n`)).toEqual([
        'spec.jwtRules[0].fromHeaders[0].prefix: must be a string',
      ]);
    }
  });

  it('reports a missing required field on the field itself, and gives way to Istio\'s wording where both speak', () => {
    expect(problems('apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy:\n    tunnel: {protocol: CONNECT}\n')).toEqual([
      'spec.trafficPolicy.tunnel.targetHost: is required',
      'spec.trafficPolicy.tunnel.targetPort: is required',
    ]);
    expect(problems('apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers:\n  - hosts: ["*"]\n    port: {number: 80, protocol: HTTP}\n')).toEqual([
      'spec.servers[0].port.name: port name must be set',
    ]);
  });

  it('lists schema messages before Istio\'s semantic ones, as the apiserver checks the schema before the webhook runs', () => {
    expect(problems(`${VS}  http:\n  - corsPolicy: {allowCredentials: "yes"}\n    route: [{destination: {host: r}, weight: 101}]\n`)).toEqual([
      'spec.http[0].corsPolicy.allowCredentials: must be a boolean',
      'spec.http[0].route[0].weight: must be between 0 and 100',
    ]);
  });

  it('leaves out Istio\'s messages about what is inside a field whose shape the schema rejected', () => {
    // The tunnel's protocol is the schema's; a fault whose abort is a list is both the schema's and Istio's concern.
    expect(problems(`${VS}  http:\n  - fault: {abort: [{httpStatus: 999}]}\n    route: [{destination: {host: r}}]\n`)).toEqual([
      'spec.http[0].fault.abort: must be an object',
    ]);
  });
});

describe('unknown spec fields', () => {
  const typo = `${VS}  http:\n  - timout: 5s\n    route: [{destination: {host: r, subst: v1}}]\n`;

  it('are dropped by default, as istiod does (ApplyJSON retries with AllowUnknownFields)', () => {
    expect(problems(typo)).toEqual([]);
    expect(check(typo, {})).toEqual([]);
    expect(check(typo, { unknownFields: 'ignore' })).toEqual([]);
  });

  it('are refused on request, as istioctl validate and kubectl\'s strict field validation do, wherever they are', () => {
    expect(strict(typo)).toEqual(['spec.http[0].timout: unknown field', 'spec.http[0].route[0].destination.subst: unknown field']);
    expect(strict(`${VS}  tpc: []\n  http: [{route: [{destination: {host: r}}]}]\n`)).toEqual(['spec.tpc: unknown field']);
    for (const version of ['v1', 'v1beta1']) {
      expect(strict(`apiVersion: security.istio.io/${version}\nkind: PeerAuthentication\nmetadata: {name: p}\nspec:\n  selector: {matchLabels: {app: a}}\n  portLevelMtls: {"8080": {mode: STRICT, moed: x}}\n`)).toEqual([
        'spec.portLevelMtls.8080.moed: unknown field',
      ]);
    }
  });

  it('leave map keys alone: labels, header matches, port-level settings keyed by port', () => {
    expect(strict(`${VS}  http:\n  - match: [{headers: {x-user: {exact: a}}, sourceLabels: {app.kubernetes.io/name: a}}]\n    route: [{destination: {host: r}}]\n`)).toEqual([]);
    expect(strict('apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w}\nspec:\n  address: 10.0.0.1\n  labels: {app: a, version: v1}\n  ports: {http: 8080, grpc-x: 9090}\n')).toEqual([]);
  });

  it('say nothing about what the schema rejected by its type, and nothing twice', () => {
    // hosts should be a list: the object in its place is a type error, not a bag of unknown fields.
    expect(strict('apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: {a: 1}\n  http: [{route: [{destination: {host: r}}]}]\n')).toEqual(['spec.hosts: must be a list']);
  });

  it('are reported even where Istio\'s rules complain about the object holding them', () => {
    // `rout` is the reason the route has no destinations: both messages help.
    expect(strict(`${VS}  http:\n  - rout: [{destination: {host: r}}]\n`)).toEqual(['spec.http[0].rout: unknown field', 'spec.http[0]: HTTP route, redirect or direct_response is required']);
  });

  it('hide Istio\'s messages about their contents; a field newer than the library\'s schema counts as unknown', () => {
    // Istio's ServerTLSSettings gained insecureSkipVerify after the CRDs @kubernetes-models/istio 3.0.1 was generated from.
    const gateway = 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers:\n  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ["*"]\n    tls: {mode: SIMPLE, credentialName: c, insecureSkipVerify: "yes"}\n';
    expect(problems(gateway)).toEqual(['spec.servers[0].tls.insecureSkipVerify: must be true or false']);
    expect(strict(gateway)).toEqual(['spec.servers[0].tls.insecureSkipVerify: unknown field']);
    // Both spellings of the JWKS URI are in the CRD (jwksUri, and protobuf's jwks_uri).
    expect(strict('apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: r}\nspec:\n  jwtRules: [{issuer: a, jwks_uri: "https://a/jwks"}]\n')).toEqual([]);
  });

  it('are none in the goldens\' objects or the Bookinfo example: every field they use is one the schema declares', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
    const files = [
      ...readdirSync(path.join(root, 'test/golden/validate')).filter((f) => f.endsWith('.in.yaml') && f !== 'vs-unknown-field-dropped.in.yaml').map((f) => `test/golden/validate/${f}`),
      ...readdirSync(path.join(root, 'examples/bookinfo')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/bookinfo/${f}`),
    ];
    const istio = files
      .flatMap((f) => parseDocuments(f, readFileSync(path.join(root, f), 'utf8')).documents.flatMap((d) => readObjects(d.value, `${f}#${d.index}`, d.index).objects))
      .filter((o) => o.apiVersion.includes('.istio.io/'));
    expect(istio.length).toBeGreaterThan(60);
    const unknown = istio.flatMap((o) => validateObject(o, { unknownFields: 'reject' }).filter((e) => e.message === 'unknown field'));
    expect(unknown.map((e) => `${e.source}: ${e.path ?? ''}`)).toEqual([]);
  });

  it('leave the validated object as it was (it is frozen and shared)', () => {
    const read = readObjects(parse(typo), 't.yaml#1', 1);
    const object = read.objects[0]!;
    const before = JSON.stringify(object.content);
    validateObject(object, { unknownFields: 'reject' });
    expect(JSON.stringify(object.content)).toBe(before);
    expect(Object.isFrozen(object.content['spec'])).toBe(true);
  });
});
