/**
 * Validates a decoded protobuf message against the protoc-gen-validate
 * rules in its proto, the way Envoy does before accepting a resource.
 * Embedded `google.protobuf.Any` values are decoded with their type from the
 * root and validated too; an Any whose type the root does not know is left
 * alone unless the field's own rules (`any.in`, `any.required`) say otherwise.
 */
import protobuf from 'protobufjs';
import type { FieldVisitor } from './field-reader.js';
import { anyTypeUrl, PlanCompiler, type FieldPlan, type MessagePlan, type ValuePlan } from './message-plan.js';
import type { Report } from './rule-check.js';
import { FieldPath, type Violation } from './violation.js';

type DecodedMessage = Readonly<Record<string, unknown>>;

export class PgvValidator {
  private readonly compiler = new PlanCompiler();
  private readonly anyTypes = new Map<string, protobuf.Type | null>();
  /** Reused: validation is synchronous and never re-entered, and this spares an allocation per resource. */
  private readonly run = new ValidationRun(this.compiler, (url) => this.anyType(url));

  constructor(private readonly root: protobuf.Root) {}

  /**
   * The violations in `message`, a protobufjs message as `decode` (or
   * `fromObject`) produces it: presence is read from own properties, as
   * protobufjs sets only the fields present on the wire.
   */
  validate(type: protobuf.Type, message: object): Violation[] {
    const plan = this.compiler.plan(type);
    if (!plan) return [];
    return this.run.validate(plan, message as DecodedMessage);
  }

  /** Decodes `bytes` as `type` and validates what a receiver of those bytes would see. */
  validateEncoded(type: protobuf.Type, bytes: Uint8Array): Violation[] {
    if (!this.compiler.plan(type)) return [];
    return this.validate(type, type.decode(bytes));
  }

  private anyType(typeUrl: string): protobuf.Type | null {
    let type = this.anyTypes.get(typeUrl);
    if (type === undefined) {
      const found = this.root.lookup(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
      type = found instanceof protobuf.Type ? found : null;
      this.anyTypes.set(typeUrl, type);
    }
    return type;
  }
}

/** Walks one message at a time: the current path and the violations found so far. */
class ValidationRun implements FieldVisitor<FieldPlan> {
  private violations: Violation[] = [];
  private path = new FieldPath();
  private readonly report: Report;

  constructor(
    private readonly compiler: PlanCompiler,
    private readonly anyType: (typeUrl: string) => protobuf.Type | null,
  ) {
    this.report = (rule, message) => {
      this.violations.push({ path: this.path.toString(), rule, message });
    };
  }

  validate(plan: MessagePlan, message: DecodedMessage): Violation[] {
    this.violations = [];
    this.path = new FieldPath();
    try {
      this.visitMessage(plan, message);
      return this.violations;
    } finally {
      this.violations = [];
    }
  }

  private visitMessage(plan: MessagePlan, message: DecodedMessage): void {
    plan.readFields(message, this, plan.fields);
  }

  missingOneof(name: string): void {
    this.path.enterField(name);
    this.report('oneof.required', 'value is required');
    this.path.leave();
  }

  field(field: FieldPlan, value: unknown, isSet: boolean): void {
    this.path.enterField(field.name);
    switch (field.shape) {
      case 'single':
        // Unset: a message field reads null (the prototype's default), a scalar its zero value or, with explicit presence, is not own.
        if (value == null || !isSet || value === field.zero) {
          if (field.requiredRule) this.report(field.requiredRule, 'value is required');
          for (const f of field.absentFailures) this.report(f.rule, f.message);
        } else {
          this.visitValue(field.value, value);
        }
        break;
      case 'repeated':
        this.visitList(field, (value ?? []) as readonly unknown[]);
        break;
      case 'map':
        this.visitMap(field, (value ?? {}) as Readonly<Record<string, unknown>>);
        break;
    }
    this.path.leave();
  }

  private visitList(field: FieldPlan, list: readonly unknown[]): void {
    field.containerCheck?.(list, this.report);
    if (!field.value.check && !field.value.descent) return;
    for (let i = 0; i < list.length; i++) {
      this.path.enterIndex(i);
      this.visitValue(field.value, list[i]);
      this.path.leave();
    }
  }

  private visitMap(field: FieldPlan, entries: Readonly<Record<string, unknown>>): void {
    let size = 0;
    for (const key in entries) {
      size++;
      this.path.enterMapKey(key);
      field.keyCheck?.(field.keyType === 'bool' ? key === 'true' : key, this.report);
      this.visitValue(field.value, entries[key]);
      this.path.leave();
    }
    field.containerCheck?.(size, this.report);
  }

  private visitValue(plan: ValuePlan, value: unknown): void {
    plan.check?.(value, this.report);
    const descent = plan.descent;
    if (!descent || value == null) return;
    if (descent.kind === 'message') {
      // needsVisit was true when the descent was compiled, so the plan exists.
      descent.plan ??= this.compiler.plan(descent.type!);
      if (descent.plan) this.visitMessage(descent.plan, value as DecodedMessage);
      return;
    }
    this.visitAny(value as DecodedMessage);
  }

  private visitAny(any: DecodedMessage): void {
    const type = this.anyType(anyTypeUrl(any));
    if (!type) return;
    const plan = this.compiler.plan(type);
    if (!plan) return;
    let decoded: DecodedMessage;
    try {
      decoded = type.decode((any['value'] ?? new Uint8Array()) as Uint8Array) as unknown as DecodedMessage;
    } catch (err) {
      this.report('any.value', `value cannot be decoded as ${type.fullName.slice(1)}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.visitMessage(plan, decoded);
  }
}
