/**
 * Everything tsiod's real generators produce for the golden Bookinfo mesh,
 * for a sidecar and a proxyless client, validated as it would be on the wire.
 * Any violation is a generator bug (this test first caught proxyless
 * listeners without HttpConnectionManager.stat_prefix).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generators } from '../../../src/xds/gen/index.js';
import { typeForUrl } from '../../../src/xds/proto/envoy-protos.js';
import { ListenerType, RouteType, shortTypeName } from '../../../src/xds/proto/type-urls.js';
import { envoyValidator } from '../../../src/xds/validate/envoy-validator.js';
import { generateFor } from '../gen/helpers/generate.js';
import { proxy } from '../gen/helpers/mesh-builder.js';
import { snapshotFromYaml } from '../gen/helpers/snapshot-from-yaml.js';

const CASE_DIR = path.join(import.meta.dirname, '../../golden/gen/bookinfo');


describe('Bookinfo golden output against Envoy validation rules', () => {
  const snap = snapshotFromYaml(path.join(CASE_DIR, 'snapshot.yaml'));
  const requests = parse(fs.readFileSync(path.join(CASE_DIR, 'requests.yaml'), 'utf8')) as { namespace: string; proxylessDialed: string[] };

  it('has no violations', () => {
    const found: string[] = [];
    let validated = 0;
    for (const kind of ['sidecar', 'proxyless'] as const) {
      for (const [typeUrl, generator] of generators) {
        const onDemand = kind === 'proxyless' && (typeUrl === ListenerType || typeUrl === RouteType);
        const type = typeForUrl(typeUrl);
        for (const r of generateFor(generator, snap, proxy(kind, requests.namespace), onDemand ? requests.proxylessDialed : undefined)) {
          validated++;
          for (const v of envoyValidator().validateEncoded(type, type.encode(type.fromObject(r.resource)).finish())) {
            found.push(`${kind} ${shortTypeName(typeUrl)} ${r.name}: ${v.rule} @ ${v.path}`);
          }
        }
      }
    }
    expect(validated).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });
});
