/**
 * Which listener takes a connection. A gateway's listeners are bound and
 * are found by address and port. A sidecar's outbound traffic arrives at
 * virtualOutbound (use_original_dst), which hands the connection to the
 * listener for its original destination: exact ip:port first, then
 * 0.0.0.0:port; with none, virtualOutbound's own chains keep it. Inbound
 * traffic is virtualInbound's.
 */
import type { NormalizedRequest } from './request.js';
import { SimulationError } from './simulation-error.js';
import { flag, numeric, record, text, type Json } from './xds-view.js';

export const VIRTUAL_OUTBOUND = 'virtualOutbound';
export const VIRTUAL_INBOUND = 'virtualInbound';
const ANY_ADDRESS = '0.0.0.0';

function socketAddress(listener: Json): { address: string; port: number } | undefined {
  const socket = record(record(listener['address'])?.['socketAddress']);
  const address = text(socket?.['address']);
  const port = numeric(socket?.['portValue']);
  return address !== undefined && port !== undefined ? { address, port } : undefined;
}

function listenerAt(listeners: readonly Json[], address: string, port: number): Json | undefined {
  return listeners.find((l) => {
    const at = socketAddress(l);
    return at !== undefined && at.address === address && at.port === port;
  });
}

function byName(listeners: readonly Json[], name: string): Json | undefined {
  return listeners.find((l) => l['name'] === name);
}

function names(listeners: readonly Json[]): string {
  return listeners.map((l) => String(l['name'])).join(', ') || '(none)';
}

export function matchListener(listeners: readonly Json[], request: NormalizedRequest): Json {
  if (request.mode === 'inbound') {
    const inbound = byName(listeners, VIRTUAL_INBOUND);
    if (!inbound) throw new SimulationError('listener', `inbound traffic needs listener ${VIRTUAL_INBOUND}; the proxy has: ${names(listeners)}`);
    return inbound;
  }
  const direct = listenerAt(listeners, request.address, request.port) ?? listenerAt(listeners, ANY_ADDRESS, request.port);
  if (request.mode === 'gateway') {
    if (!direct) {
      throw new SimulationError('listener', `no listener on ${request.address}:${request.port} or ${ANY_ADDRESS}:${request.port}; the proxy has: ${names(listeners)}`);
    }
    return direct;
  }
  const outbound = byName(listeners, VIRTUAL_OUTBOUND);
  if (!outbound) throw new SimulationError('listener', `outbound traffic needs listener ${VIRTUAL_OUTBOUND}; the proxy has: ${names(listeners)}`);
  // Without use_original_dst virtualOutbound would keep every connection itself.
  if (flag(outbound['useOriginalDst']) !== true) return outbound;
  return direct ?? outbound;
}
