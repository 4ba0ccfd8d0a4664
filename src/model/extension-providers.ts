/**
 * MeshConfig.extensionProviders as tsiod reads them: the external
 * authorizers an AuthorizationPolicy with action CUSTOM names
 * (envoyExtAuthzHttp and envoyExtAuthzGrpc). Providers of other kinds
 * (tracing, access logs) are kept by name only: a CUSTOM policy naming one
 * is refused, as Istio refuses it.
 *
 * Only the shape is checked here (a wrong type rejects the mesh config, as
 * any other field does). Port ranges, statusOnError codes and path
 * prefixes are checked where the filter is built, as Istio's
 * processExtensionProvider checks them, so a bad provider denies the
 * requests its policies cover instead of taking the mesh config down.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../config/config-object.js';
import { describeJsonValue, protoJsonFieldName } from './proto-json-text.js';

/** MeshConfig.ExtensionProvider.EnvoyExternalAuthorizationRequestBody. */
export interface ExtAuthzRequestBody {
  readonly maxRequestBytes?: number;
  readonly allowPartialMessage?: boolean;
  readonly packAsBytes?: boolean;
}

/** The fields the HTTP and gRPC external authorizers share. */
interface ExtAuthzCommon {
  /** "<host>" or "<namespace>/<host>" of a mesh service. */
  readonly service: string;
  readonly port: number;
  /** A protobuf JSON duration ("10s", "0.5s"); Istio's default is 600s. */
  readonly timeout?: string;
  readonly failOpen?: boolean;
  /** An HTTP status code as text ("403"). */
  readonly statusOnError?: string;
  readonly includeRequestBodyInCheck?: ExtAuthzRequestBody;
}

export interface ExtAuthzHttpProvider extends ExtAuthzCommon {
  readonly pathPrefix?: string;
  readonly includeRequestHeadersInCheck?: readonly string[];
  /** Deprecated in Istio; read only when includeRequestHeadersInCheck is empty. */
  readonly includeHeadersInCheck?: readonly string[];
  readonly includeAdditionalHeadersInCheck?: Readonly<Record<string, string>>;
  readonly headersToUpstreamOnAllow?: readonly string[];
  readonly headersToDownstreamOnDeny?: readonly string[];
  readonly headersToDownstreamOnAllow?: readonly string[];
}

export type ExtAuthzGrpcProvider = ExtAuthzCommon;

/**
 * One provider, in MeshConfig's own shape: its name and the one field that
 * says what it is. Providers tsiod does not translate (tracing, metrics,
 * access logs) keep their name only.
 */
export interface ExtensionProvider {
  readonly name: string;
  readonly envoyExtAuthzHttp?: ExtAuthzHttpProvider;
  readonly envoyExtAuthzGrpc?: ExtAuthzGrpcProvider;
}

/** A problem at a field path below extensionProviders ("[0].envoyExtAuthzHttp.port"). */
export interface ExtensionProviderProblem {
  readonly path: string;
  readonly message: string;
}

export type ParsedExtensionProviders =
  | { readonly providers: readonly ExtensionProvider[]; readonly problems?: undefined }
  | { readonly problems: readonly ExtensionProviderProblem[]; readonly providers?: undefined };

/** Reads one provider's fields, collecting type problems under `path`. */
class FieldReader {
  constructor(
    private readonly fields: JsonObject,
    private readonly path: string,
    private readonly problems: ExtensionProviderProblem[],
  ) {}

  private value(field: string): JsonValue | undefined {
    for (const [key, value] of Object.entries(this.fields)) if (protoJsonFieldName(key) === field && value !== null) return value;
    return undefined;
  }

  private fail(field: string, expected: string, value: JsonValue): undefined {
    this.problems.push({ path: `${this.path}.${field}`, message: `must be ${expected} (found ${describeJsonValue(value)})` });
    return undefined;
  }

  string(field: string): string | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : this.fail(field, 'a string', value);
  }

  boolean(field: string): boolean | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;
    return typeof value === 'boolean' ? value : this.fail(field, 'true or false', value);
  }

  /** uint32 in protobuf JSON: a number, or a string holding one. */
  integer(field: string): number | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;
    const number = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
    return typeof number === 'number' && Number.isInteger(number) && number >= 0 && number <= 0xffffffff
      ? number
      : this.fail(field, 'a non-negative integer', value);
  }

  strings(field: string): string[] | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return this.fail(field, 'a list of strings', value);
    return [...(value as string[])];
  }

  stringMap(field: string): Record<string, string> | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;
    if (!isJsonObject(value) || !Object.values(value).every((v) => typeof v === 'string')) return this.fail(field, 'a map of strings', value);
    return { ...(value as Record<string, string>) };
  }

  object(field: string): FieldReader | undefined {
    const value = this.value(field);
    if (value === undefined) return undefined;
    return isJsonObject(value) ? new FieldReader(value, `${this.path}.${field}`, this.problems) : this.fail(field, 'a map', value);
  }
}

/** Leaves out the fields that were not given, so equal configs compare equal. */
function defined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

function readCommon(reader: FieldReader): ExtAuthzCommon {
  const body = reader.object('includeRequestBodyInCheck');
  return defined({
    service: reader.string('service') ?? '',
    port: reader.integer('port') ?? 0,
    timeout: reader.string('timeout'),
    failOpen: reader.boolean('failOpen'),
    statusOnError: reader.string('statusOnError'),
    includeRequestBodyInCheck: body
      ? defined({ maxRequestBytes: body.integer('maxRequestBytes'), allowPartialMessage: body.boolean('allowPartialMessage'), packAsBytes: body.boolean('packAsBytes') })
      : undefined,
  });
}

function readHttp(reader: FieldReader): ExtAuthzHttpProvider {
  return defined({
    ...readCommon(reader),
    pathPrefix: reader.string('pathPrefix'),
    includeRequestHeadersInCheck: reader.strings('includeRequestHeadersInCheck'),
    includeHeadersInCheck: reader.strings('includeHeadersInCheck'),
    includeAdditionalHeadersInCheck: reader.stringMap('includeAdditionalHeadersInCheck'),
    headersToUpstreamOnAllow: reader.strings('headersToUpstreamOnAllow'),
    headersToDownstreamOnDeny: reader.strings('headersToDownstreamOnDeny'),
    headersToDownstreamOnAllow: reader.strings('headersToDownstreamOnAllow'),
  });
}

/**
 * The `extensionProviders` list of a mesh config. Istio's mesh validation
 * also requires names to be non-empty and unique; a list breaking that is
 * refused here too.
 */
export function parseExtensionProviders(value: JsonValue): ParsedExtensionProviders {
  if (!Array.isArray(value)) return { problems: [{ path: '', message: `must be a list (found ${describeJsonValue(value)})` }] };
  const problems: ExtensionProviderProblem[] = [];
  const providers: ExtensionProvider[] = [];
  const names = new Set<string>();
  (value as readonly JsonValue[]).forEach((entry, i) => {
    const path = `[${i}]`;
    if (!isJsonObject(entry)) {
      problems.push({ path, message: `must be a map (found ${describeJsonValue(entry)})` });
      return;
    }
    const reader = new FieldReader(entry, path, problems);
    const name = reader.string('name') ?? '';
    if (name === '') problems.push({ path: `${path}.name`, message: 'empty extension provider name' });
    else if (names.has(name)) problems.push({ path: `${path}.name`, message: `duplicate extension provider name ${name}` });
    names.add(name);
    const kinds = Object.entries(entry)
      .filter(([key, v]) => protoJsonFieldName(key) !== 'name' && v !== null)
      .map(([key]) => protoJsonFieldName(key));
    if (kinds.length !== 1) {
      problems.push({ path, message: `extension provider ${name} must set exactly one provider (found ${kinds.length})` });
      return;
    }
    const kind = kinds[0] as string;
    const body = reader.object(kind);
    if (!body) return;
    if (kind === 'envoyExtAuthzHttp') providers.push({ name, envoyExtAuthzHttp: readHttp(body) });
    else if (kind === 'envoyExtAuthzGrpc') providers.push({ name, envoyExtAuthzGrpc: readCommon(body) });
    else providers.push({ name });
  });
  return problems.length > 0 ? { problems } : { providers };
}
