import type { Locality } from './types.js';

/** Istio's locality string "region/zone/subzone", any suffix left out; empty or absent → undefined. */
export function parseLocality(text: string | undefined): Locality | undefined {
  if (!text) return undefined;
  const [region, zone, subzone] = text.split('/');
  return {
    ...(region ? { region } : {}),
    ...(zone ? { zone } : {}),
    ...(subzone ? { subzone } : {}),
  };
}
