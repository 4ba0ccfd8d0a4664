/**
 * Golden cases for the generators: test/golden/gen/<case>.in.yaml is a
 * multi-document YAML file whose first document (kind GoldenCase) says which
 * proxies ask, and whose other documents are ordinary Kubernetes and Istio
 * objects. Those go through the real pipeline (parse, validate, buildSnapshot)
 * and the proxies' nodes through the real node parser, so a golden shows
 * what a proxy would get from exactly that YAML applied to a cluster.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatConfigError } from '../../../../src/config/config-error.js';
import { loadConfigText } from '../../../../src/config/load-config-text.js';
import { buildSnapshot } from '../../../../src/model/build-snapshot.js';
import { parseProxyNode, type ProxyNode, type XdsNode } from '../../../../src/model/proxy.js';
import { DEFAULT_MESH_CONFIG, type MeshConfig, type MeshSnapshot } from '../../../../src/model/types.js';

export const GOLDEN_GEN_ROOT = path.join(import.meta.dirname, '../../../golden/gen');

export interface GoldenProxy {
  /** The label in output file names: <case>.<label>.<type>.yaml. */
  readonly label: string;
  readonly node: ProxyNode;
  /** Names asked for LDS and RDS, for clients that ask by name (proxyless gRPC dials targets). */
  readonly dialed?: readonly string[];
}

export interface GoldenCase {
  readonly name: string;
  readonly description: string;
  readonly snapshot: MeshSnapshot;
  readonly proxies: readonly GoldenProxy[];
}

interface GoldenHeader {
  kind?: string;
  description?: string;
  mesh?: Partial<MeshConfig>;
  /** `authenticated`: the stream proved the identity the node claims (NAMESPACE, SERVICE_ACCOUNT), as on tsiod's 15012. */
  proxies?: Record<string, { id: string; metadata?: Record<string, unknown>; locality?: XdsNode['locality']; userAgentName?: string; dialed?: string[]; authenticated?: boolean }>;
}

export function goldenCaseNames(): string[] {
  return fs
    .readdirSync(GOLDEN_GEN_ROOT)
    .filter((f) => f.endsWith('.in.yaml'))
    .map((f) => f.slice(0, -'.in.yaml'.length))
    .sort();
}

export function goldenOutputPath(caseName: string, proxyLabel: string, typeName: string): string {
  return path.join(GOLDEN_GEN_ROOT, `${caseName}.${proxyLabel}.${typeName}.yaml`);
}

export function loadGoldenCase(name: string): GoldenCase {
  const file = path.join(GOLDEN_GEN_ROOT, `${name}.in.yaml`);
  const text = fs.readFileSync(file, 'utf8');
  const documents = parseAllDocuments(text);
  const header = (documents[0]?.toJS() ?? {}) as GoldenHeader;
  if (header.kind !== 'GoldenCase') throw new Error(`${file}: the first document must be kind: GoldenCase`);
  // The pipeline reads the whole file so its messages carry the file's own
  // document numbers; the header (document 1) is not a config kind it knows.
  const source = `${name}.in.yaml`;
  const loaded = loadConfigText(source, text);
  const errors = loaded.errors.filter((e) => e.source !== `${source}#1`);
  if (errors.length > 0) {
    throw new Error(`${file}: invalid config:\n${errors.map((e) => `  ${formatConfigError(e)}`).join('\n')}`);
  }
  const mesh: MeshConfig = { ...DEFAULT_MESH_CONFIG, ...header.mesh };
  const snapshot = buildSnapshot({ mesh, objects: loaded.objects });
  const proxies = Object.entries(header.proxies ?? {}).map(([label, p]) => {
    const parsed = parseProxyNode({ id: p.id, metadata: p.metadata ?? {}, ...(p.locality ? { locality: p.locality } : {}), userAgentName: p.userAgentName ?? 'envoy' }, mesh.domainSuffix);
    const node: ProxyNode = p.authenticated ? { ...parsed, verifiedIdentity: { namespace: parsed.namespace, serviceAccount: parsed.serviceAccount ?? 'default' } } : parsed;
    return { label, node, ...(p.dialed ? { dialed: p.dialed } : {}) };
  });
  if (proxies.length === 0) throw new Error(`${file}: the GoldenCase header lists no proxies`);
  return { name, description: header.description ?? '', snapshot, proxies };
}
