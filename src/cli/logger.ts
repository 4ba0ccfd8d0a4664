/** One structured logger for the process: JSON lines on stdout, as istiod's are. */
import pino, { type Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { component: 'tsiod' }, timestamp: pino.stdTimeFunctions.isoTime });
}
