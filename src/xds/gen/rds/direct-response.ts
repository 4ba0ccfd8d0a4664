/** Istio HTTPDirectResponse → Envoy DirectResponseAction (Istio's ApplyDirectResponse). */
import type { HTTPDirectResponse } from '../../../model/types.js';

export function translateDirectResponse(response: HTTPDirectResponse): Record<string, unknown> {
  const out: Record<string, unknown> = { status: response.status };
  if (response.body?.string !== undefined) out['body'] = { inlineString: response.body.string };
  else if (response.body?.bytes !== undefined) out['body'] = { inlineBytes: response.body.bytes };
  return out;
}
