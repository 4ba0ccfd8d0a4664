/**
 * Istio writes durations as Go duration strings ("10s", "1.5s", "1m30s");
 * Envoy wants google.protobuf.Duration as {seconds, nanos}.
 */
export interface ProtoDuration {
  readonly seconds: number;
  readonly nanos?: number;
}

const UNIT_NANOS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const PART = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)/y;

/** Undefined for text that is not a non-negative Go duration. */
export function parseGoDuration(text: string): ProtoDuration | undefined {
  if (text === '0') return { seconds: 0 };
  if (text === '') return undefined;
  let totalNanos = 0n;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== start) return undefined;
    const [, amount, unit] = match as unknown as [string, string, string];
    const [whole = '0', fraction = ''] = amount.split('.');
    const scale = UNIT_NANOS[unit] as bigint;
    // Fractions are scaled in integer arithmetic so "0.1s" is exactly 100ms.
    const fractionNanos = fraction === '' ? 0n : (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
    totalNanos += BigInt(whole === '' ? '0' : whole) * scale + fractionNanos;
  }
  return nanosToDuration(totalNanos);
}

export function secondsDuration(seconds: number): ProtoDuration {
  return { seconds };
}

function nanosToDuration(totalNanos: bigint): ProtoDuration {
  const seconds = Number(totalNanos / 1_000_000_000n);
  const nanos = Number(totalNanos % 1_000_000_000n);
  return nanos === 0 ? { seconds } : { seconds, nanos };
}
