/**
 * Istio Headers (request/response set, add, remove) → Envoy header
 * options (Istio's TranslateHeadersOperations). "set" overwrites, "add"
 * appends; each group is sorted by name, sets before adds. Pseudo-headers
 * and Host cannot be changed by Envoy's header options: a set or add of
 * ":authority" or "host" becomes a host rewrite instead.
 */
import type { HeaderOperations, Headers } from '../../../model/types.js';

export interface TranslatedHeaders {
  readonly requestHeadersToAdd: Record<string, unknown>[];
  readonly requestHeadersToRemove: string[];
  readonly responseHeadersToAdd: Record<string, unknown>[];
  readonly responseHeadersToRemove: string[];
  /** The request authority to rewrite to, "" for none. */
  readonly authority: string;
}

function isInternalHeader(name: string): boolean {
  return name.startsWith(':') || name.toLowerCase() === 'host';
}

function isAuthorityHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === ':authority' || lower === 'host';
}

function headerOptions(values: Readonly<Record<string, string>> | undefined, append: boolean): { options: Record<string, unknown>[]; authority: string } {
  let authority = '';
  const options: Record<string, unknown>[] = [];
  for (const key of Object.keys(values ?? {}).sort()) {
    const value = String(values?.[key] ?? '');
    if (isAuthorityHeader(key)) authority = value;
    if (isInternalHeader(key)) continue;
    options.push({ header: { key, value }, appendAction: append ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD' });
  }
  return { options, authority };
}

function removals(ops: HeaderOperations | undefined): string[] {
  return (ops?.remove ?? []).filter((name) => !isInternalHeader(name));
}

export function translateHeaders(headers: Headers): TranslatedHeaders {
  const requestSet = headerOptions(headers.request?.set, false);
  const requestAdd = headerOptions(headers.request?.add, true);
  return {
    requestHeadersToAdd: [...requestSet.options, ...requestAdd.options],
    requestHeadersToRemove: removals(headers.request),
    responseHeadersToAdd: [...headerOptions(headers.response?.set, false).options, ...headerOptions(headers.response?.add, true).options],
    responseHeadersToRemove: removals(headers.response),
    // A "set" authority wins over an "add" one.
    authority: requestSet.authority !== '' ? requestSet.authority : requestAdd.authority,
  };
}

/** Appends the header changes to a Route or a weighted cluster, leaving empty lists out. */
export function appendHeaderChanges(target: Record<string, unknown>, headers: TranslatedHeaders): void {
  const append = (field: string, values: readonly unknown[]): void => {
    if (values.length === 0) return;
    target[field] = [...((target[field] as unknown[] | undefined) ?? []), ...values];
  };
  append('requestHeadersToAdd', headers.requestHeadersToAdd);
  append('requestHeadersToRemove', headers.requestHeadersToRemove);
  append('responseHeadersToAdd', headers.responseHeadersToAdd);
  append('responseHeadersToRemove', headers.responseHeadersToRemove);
}
