/**
 * Istio HTTPFaultInjection → the per-route config of Envoy's fault filter
 * (Istio's TranslateFault). Only fixed delays and HTTP or gRPC aborts exist
 * in Envoy's filter; anything else is left out, and a fault with nothing
 * left is no fault at all.
 */
import type { HTTPFaultInjection } from '../../../model/types.js';
import { parseGoDuration } from '../common/duration.js';
import { HTTP_FAULT_TYPE } from '../common/type-names.js';
import { integerPercentToFractional, percentToFractional } from './percent.js';

/** gRPC status names as Istio's VirtualService accepts them, by code. */
const GRPC_STATUS_CODES: Readonly<Record<string, number>> = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

function translateDelay(delay: NonNullable<HTTPFaultInjection['delay']>): Record<string, unknown> | undefined {
  const fixedDelay = delay.fixedDelay !== undefined ? parseGoDuration(delay.fixedDelay) : undefined;
  if (!fixedDelay) return undefined;
  const percentage = delay.percentage ? percentToFractional(delay.percentage) : integerPercentToFractional(delay.percent ?? 0);
  return { fixedDelay, percentage };
}

function translateAbort(abort: NonNullable<HTTPFaultInjection['abort']>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (abort.httpStatus !== undefined) out['httpStatus'] = abort.httpStatus;
  else if (abort.grpcStatus !== undefined && GRPC_STATUS_CODES[abort.grpcStatus] !== undefined) out['grpcStatus'] = GRPC_STATUS_CODES[abort.grpcStatus];
  else return undefined;
  if (abort.percentage) out['percentage'] = percentToFractional(abort.percentage);
  return out;
}

/** The typed per-filter config for envoy.filters.http.fault; undefined when no fault survives translation. */
export function translateFault(fault: HTTPFaultInjection): Record<string, unknown> | undefined {
  const delay = fault.delay ? translateDelay(fault.delay) : undefined;
  const abort = fault.abort ? translateAbort(fault.abort) : undefined;
  if (!delay && !abort) return undefined;
  return { '@type': HTTP_FAULT_TYPE, ...(delay ? { delay } : {}), ...(abort ? { abort } : {}) };
}
