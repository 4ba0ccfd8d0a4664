/**
 * tsiod's one-way data flow, enforced:
 *   config -> model -> push -> xds/gen -> xds/cache -> xds/server
 * A folder imports only from folders before it in the flow (xds/proto is a
 * leaf every xds stage may use; xds/validate, the PGV validator, uses only
 * xds/proto and is used from xds/cache on). ca, inject, webhook, debug, metrics and cli
 * sit beside the flow: they may import from it, it never imports from them.
 */
const upstream = (from, to, why) => ({ name: `flow:${from}->${to}`, comment: why, severity: 'error', from: { path: `^src/${from}` }, to: { path: `^src/${to}` } });

module.exports = {
  forbidden: [
    upstream('config', '(model|push|xds)', 'config sources and validation know nothing of the model or xDS'),
    upstream('model', '(push|xds)', 'the model is plain data; it does not know how it is served'),
    upstream('push', 'xds', 'push requests describe changes; they do not reach into xDS'),
    upstream('xds/proto', 'xds/(gen|cache|server|validate)', 'the proto registry is a leaf'),
    {
      name: 'flow:xds/validate-imports-only-proto',
      comment: 'the PGV validator knows Envoy\'s protos and nothing else; xds/cache (and the server\'s types) use it',
      severity: 'error',
      from: { path: '^src/xds/validate/' },
      to: { path: '^src/', pathNot: '^src/xds/(validate|proto)/' },
    },
    upstream('xds/gen', 'xds/validate', 'generators are pure; their output is validated downstream, in xds/cache'),
    upstream('xds/gen', 'xds/(cache|server)', 'generators are pure: snapshot x key -> resources'),
    upstream('xds/cache', 'xds/server', 'the cache does not know about streams'),
    {
      name: 'flow:no-beside-imports',
      comment: 'ca, inject, webhook, debug, metrics and cli sit beside the flow and are never imported by it',
      severity: 'error',
      from: { path: '^src/(config|model|push|xds)' },
      to: { path: '^src/(ca|inject|webhook|debug|metrics|cli)' },
    },
    {
      name: 'webhook-imports-only-config-and-metrics',
      comment: 'the validating webhook runs config\'s validators and counts in metrics; it knows nothing of the model, pushes or xDS',
      severity: 'error',
      from: { path: '^src/webhook/' },
      to: { path: '^src/', pathNot: '^src/(webhook|config|metrics)/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'no-test-imports-from-src', severity: 'error', from: { path: '^src' }, to: { path: '^(test|bench)' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/gen' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
