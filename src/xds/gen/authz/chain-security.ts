/**
 * Puts a proxy's security filters into one filter chain: in front of the
 * HTTP connection manager's own HTTP filters when the chain has one (its
 * network filters stay as they are, as Istio puts no network RBAC on HTTP
 * chains), else in front of the chain's network filters (the tcp_proxy).
 * The chain is copied, never changed: builders may share filter objects.
 */
import { HTTP_CONNECTION_MANAGER_FILTER } from '../common/type-names.js';
import type { SecurityFilters } from './security-filters.js';

type Message = Record<string, unknown>;

function withHttpFilters(filter: Message, security: SecurityFilters): Message {
  const hcm = filter['typedConfig'] as Message;
  const own = Array.isArray(hcm['httpFilters']) ? (hcm['httpFilters'] as Message[]) : [];
  return { ...filter, typedConfig: { ...hcm, httpFilters: [...security.http, ...own] } };
}

export function addSecurityFilters(chain: Readonly<Message>, security: SecurityFilters): Message {
  const filters = Array.isArray(chain['filters']) ? (chain['filters'] as Message[]) : [];
  const http = filters.some((f) => f['name'] === HTTP_CONNECTION_MANAGER_FILTER);
  if (http ? security.http.length === 0 : security.tcp.length === 0) return { ...chain };
  return {
    ...chain,
    filters: http ? filters.map((f) => (f['name'] === HTTP_CONNECTION_MANAGER_FILTER ? withHttpFilters(f, security) : f)) : [...security.tcp, ...filters],
  };
}
