/**
 * Everything tsiod's real generators produce for every golden case and every
 * proxy it lists, validated as it would be on the wire against the
 * validate.rules of Envoy's own protos. Any violation is a generator bug (this
 * test first caught proxyless listeners without HttpConnectionManager.stat_prefix).
 */
import { describe, expect, it } from 'vitest';
import { generators } from '../../../src/xds/gen/index.js';
import { typeForUrl } from '../../../src/xds/proto/envoy-protos.js';
import { ListenerType, RouteType, shortTypeName } from '../../../src/xds/proto/type-urls.js';
import { envoyValidator } from '../../../src/xds/validate/envoy-validator.js';
import { generateFor } from '../gen/helpers/generate.js';
import { goldenCaseNames, loadGoldenCase } from '../gen/helpers/golden-case.js';

describe('golden cases against Envoy validation rules', () => {
  for (const name of goldenCaseNames()) {
    const golden = loadGoldenCase(name);
    for (const proxy of golden.proxies) {
      it(`${name}: ${proxy.label} has no violations`, () => {
        const found: string[] = [];
        let validated = 0;
        for (const [typeUrl, generator] of generators) {
          const onDemand = proxy.dialed !== undefined && (typeUrl === ListenerType || typeUrl === RouteType);
          const type = typeForUrl(typeUrl);
          for (const r of generateFor(generator, golden.snapshot, proxy.node, onDemand ? proxy.dialed : undefined)) {
            validated++;
            for (const v of envoyValidator().validateEncoded(type, type.encode(type.fromObject(r.resource)).finish())) {
              found.push(`${shortTypeName(typeUrl)} ${r.name}: ${v.rule} @ ${v.path}`);
            }
          }
        }
        expect(validated).toBeGreaterThan(0);
        expect(found).toEqual([]);
      });
    }
  }
});
