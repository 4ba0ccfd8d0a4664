/**
 * How far an observed traffic share may stray from its configured weight.
 *
 * gRPC picks a weighted cluster independently at random for every RPC, so the
 * count for a subset of weight p over n RPCs is Binomial(n, p): its share has
 * standard deviation sigma = sqrt(p(1-p)/n). At n = 2,000: p = 0.6 gives
 * sigma = 1.10 points, p = 0.3 gives 1.02, p = 0.1 gives 0.67. Allowing 4.5
 * sigma (±4.9, ±4.6, ±3.0 points) makes a false failure about 1 run in 150,000
 * per subset, while a real routing error (a subset dropped, weights swapped or
 * ignored, equal split) is off by 10 points or more and still fails.
 */
export const SIGMAS_ALLOWED = 4.5;

/** Largest allowed |observed share - p| for n independent picks. A weight of 0 or 1 allows none. */
export function shareTolerance(p: number, n: number): number {
  if (n <= 0) throw new Error('no RPCs to judge a split by');
  return SIGMAS_ALLOWED * Math.sqrt((p * (1 - p)) / n);
}
