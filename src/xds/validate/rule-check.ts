/**
 * Compiled rules: each PGV rule on a field becomes a predicate plus the
 * violation it reports, built once per field so that checking a value is a
 * loop over closures with no option parsing.
 */
export type Report = (rule: string, message: string) => void;

/** Checks one present value (a scalar, a wrapper, a duration...) and reports what it breaks. */
export type ValueCheck = (value: unknown, report: Report) => void;

export interface RuleCheck<T> {
  readonly rule: string;
  readonly message: string;
  readonly ok: (value: T) => boolean;
}

/**
 * One ValueCheck from a list of rule checks; undefined when the list is empty.
 * With `ignoreEmpty` (PGV's `ignore_empty`) the zero value passes every rule.
 */
export function combineChecks<T>(
  checks: readonly RuleCheck<T>[],
  coerce: (value: unknown) => T,
  isEmpty: ((value: T) => boolean) | undefined,
): ValueCheck | undefined {
  if (checks.length === 0) return undefined;
  return (raw, report) => {
    const value = coerce(raw);
    if (isEmpty?.(value)) return;
    for (const c of checks) if (!c.ok(value)) report(c.rule, c.message);
  };
}

/** PGV prints lists as `[a b c]`, strings quoted. */
export function formatList(values: readonly unknown[]): string {
  return `[${values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ')}]`;
}
