/**
 * A problem with one config document or object. The directory source keeps
 * serving everything else, so an error names exactly where to look.
 */
export interface ConfigError {
  /** "file.yaml#2" (document 2, 1-based) or another source's own tag. */
  readonly source: string;
  /** Unknown until the document has been read far enough (a YAML syntax error has none). */
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Field path inside the object, e.g. "spec.http[0].route[1].weight". */
  readonly path?: string;
  readonly message: string;
}

/** e.g. `reviews.yaml#2 VirtualService default/reviews: spec.http[0].route[1].weight: must be between 0 and 100` */
export function formatConfigError(error: ConfigError): string {
  let head = error.source;
  if (error.kind) head += ` ${error.kind}`;
  if (error.name !== undefined) head += error.namespace ? ` ${error.namespace}/${error.name}` : ` ${error.name}`;
  return error.path ? `${head}: ${error.path}: ${error.message}` : `${head}: ${error.message}`;
}
