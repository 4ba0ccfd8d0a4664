/**
 * MeshConfig's meshMTLS and tlsDefaults (Istio's MeshConfig.TLSConfig), with
 * the checks istiod's ValidateMeshTLSConfig makes: meshMTLS takes no ECDH
 * curves. Curve and cipher names are passed to Envoy as written (istiod only
 * warns about curves it does not know). Fields TLSConfig does not have are
 * reported as ignored, like the mesh config's own. minProtocolVersion is an enum name or number; TLS_AUTO means
 * Istio's default (TLS 1.2) and is left out.
 */
import { isJsonObject, type JsonValue } from '../config/config-object.js';
import type { MeshTlsSettings } from './types.js';
import { describeJsonValue, protoJsonFieldName } from './proto-json-text.js';

export type MeshTlsField = 'meshMTLS' | 'tlsDefaults';

export interface MeshTlsProblem {
  /** Below the field itself ("" for the field, ".cipherSuites"). */
  readonly path: string;
  readonly message: string;
}

export type ParsedMeshTlsSettings =
  | { readonly settings: MeshTlsSettings; readonly ignored: readonly string[]; readonly problems?: undefined }
  | { readonly problems: readonly MeshTlsProblem[]; readonly settings?: undefined };

/** TLSConfig.TLSProtocol by number: TLS_AUTO = 0, TLSV1_2 = 1, TLSV1_3 = 2. */
const TLS_PROTOCOLS = ['TLS_AUTO', 'TLSV1_2', 'TLSV1_3'] as const;

export function parseMeshTlsSettings(field: MeshTlsField, value: JsonValue): ParsedMeshTlsSettings {
  if (!isJsonObject(value)) return { problems: [{ path: '', message: `must be a map (found ${describeJsonValue(value)})` }] };
  const problems: MeshTlsProblem[] = [];
  const settings: { -readonly [K in keyof MeshTlsSettings]: MeshTlsSettings[K] } = {};
  const ignored: string[] = [];
  for (const [key, raw] of Object.entries(value)) {
    if (raw === null) continue;
    const name = protoJsonFieldName(key);
    const path = `.${key}`;
    switch (name) {
      case 'minProtocolVersion': {
        const protocol = typeof raw === 'number' ? TLS_PROTOCOLS[raw] : TLS_PROTOCOLS.find((p) => p === raw);
        if (protocol === undefined) problems.push({ path, message: `must be TLS_AUTO, TLSV1_2 or TLSV1_3 (found ${describeJsonValue(raw)})` });
        else if (protocol !== 'TLS_AUTO') settings.minProtocolVersion = protocol;
        break;
      }
      case 'ecdhCurves':
      case 'cipherSuites': {
        if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'string' && v !== '')) {
          problems.push({ path, message: `must be a list of non-empty strings (found ${describeJsonValue(raw)})` });
          break;
        }
        if (raw.length === 0) break;
        if (name === 'ecdhCurves' && field === 'meshMTLS') {
          problems.push({ path, message: 'mesh TLS does not support ECDH curves configuration' });
          break;
        }
        settings[name] = [...(raw as string[])];
        break;
      }
      default:
        ignored.push(key);
    }
  }
  return problems.length > 0 ? { problems } : { settings, ignored };
}
