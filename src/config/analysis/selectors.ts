/** Kubernetes equality-based label selectors, as Istio's analyzers apply them (labels.SelectorFromSet). */

/** Every key of the selector is a label with the same value; an empty selector selects everything. */
export function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector)) if (labels[key] !== value) return false;
  return true;
}

/** A selector as Kubernetes prints it: "app=foo,version=v1", keys sorted. */
export function selectorString(selector: Readonly<Record<string, string>>): string {
  return Object.keys(selector)
    .sort()
    .map((key) => `${key}=${selector[key]}`)
    .join(',');
}
