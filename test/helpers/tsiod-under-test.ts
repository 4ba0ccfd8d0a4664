/**
 * Starts tsiod in this process on 127.0.0.1 with free ports, its logs kept in
 * a buffer for failure output.
 */
import { pino } from 'pino';
import { startTsiod, type RunningTsiod } from '../../src/cli/serve.js';
import { LogBuffer } from './log-buffer.js';

export interface TsiodUnderTest {
  readonly tsiod: RunningTsiod;
  readonly logs: LogBuffer;
}

export async function startTsiodUnderTest(configDir: string): Promise<TsiodUnderTest> {
  const logs = new LogBuffer();
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const tsiod = await startTsiod({ configDir, host: '127.0.0.1', xdsPort: 0, monitoringPort: 0, logger });
  return { tsiod, logs };
}
