/**
 * A broken protoc-gen-validate rule in a resource tsiod was about to send:
 * always a tsiod bug, since Envoy would reject the whole response for it.
 */
export interface Violation {
  /** Where, from the resource root, in protobufjs field names: `filterChains[0].filters[0].typedConfig.httpFilters[1].name`. */
  readonly path: string;
  /** The PGV rule, as written in the proto: `string.min_len`, `repeated.items.string.min_len`, `oneof.required`. */
  readonly rule: string;
  /** PGV's wording (its C++ flavour, which Envoy prints). */
  readonly message: string;
}

/** A map entry on a path: printed as `["key"]`. */
interface MapKeySegment {
  readonly mapKey: string;
}

/**
 * The path of the field being visited, kept as a stack so that visiting
 * costs a push and a pop; it is turned into a string only for a violation.
 */
export class FieldPath {
  private readonly segments: Array<string | number | MapKeySegment> = [];

  enterField(name: string): void {
    this.segments.push(name);
  }

  enterIndex(index: number): void {
    this.segments.push(index);
  }

  enterMapKey(key: string): void {
    this.segments.push({ mapKey: key });
  }

  leave(): void {
    this.segments.pop();
  }

  toString(): string {
    let out = '';
    for (const s of this.segments) {
      if (typeof s === 'string') out += out === '' ? s : `.${s}`;
      else if (typeof s === 'number') out += `[${s}]`;
      else out += `[${JSON.stringify(s.mapKey)}]`;
    }
    return out;
  }
}

export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.path || '<root>'}: ${v.rule}: ${v.message}`).join('; ');
}
