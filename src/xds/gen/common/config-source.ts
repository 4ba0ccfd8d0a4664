/** The ConfigSource that points a proxy back at this server's ADS stream for EDS and RDS. */
export function adsConfigSource(): Record<string, unknown> {
  return { ads: {}, resourceApiVersion: 'V3' };
}
