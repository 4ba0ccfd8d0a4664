/** An envoy.config.core.v3.Address for an IP (or DNS name, in DNS clusters) and port. */
export function socketAddress(address: string, port: number): Record<string, unknown> {
  return { socketAddress: { address, portValue: port } };
}
