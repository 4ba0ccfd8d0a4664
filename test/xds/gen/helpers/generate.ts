/** Runs a generator for a proxy as the server would: through keyOf, never with the proxy itself. */
import type { MeshSnapshot } from '../../../../src/model/types.js';
import type { ProxyNode } from '../../../../src/model/proxy.js';
import type { GeneratedResource, GeneratorKey, ResourceGenerator } from '../../../../src/xds/gen/generator.js';

export function generateFor<K extends GeneratorKey>(
  generator: ResourceGenerator<K>,
  snap: MeshSnapshot,
  node: ProxyNode,
  names?: readonly string[],
): GeneratedResource[] {
  return generator.generate(snap, generator.keyOf(node, snap), names ? new Set(names) : undefined);
}

/** The resource named `name`; fails the test when it is missing. */
export function resourceNamed(resources: readonly GeneratedResource[], name: string): Record<string, unknown> {
  const found = resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource "${name}" among: ${resources.map((r) => r.name).join(', ')}`);
  return found.resource as Record<string, unknown>;
}

export function namesOf(resources: readonly GeneratedResource[]): string[] {
  return resources.map((r) => r.name);
}
