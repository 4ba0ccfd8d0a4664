/**
 * A grpc-js client with xDS credentials (@grpc/grpc-js-xds XdsChannelCredentials,
 * gRFC A29) as a child process, because grpc-js-xds reads its bootstrap
 * (GRPC_XDS_BOOTSTRAP) once per process and a test needs several: one per
 * identity and trust bundle. Run:
 *
 *   GRPC_XDS_BOOTSTRAP=<file> node --import tsx test/helpers/grpc-js-xds-credentials-client.ts <target>
 *
 * It speaks grpcio_client.py's --commands protocol: one JSON command a line
 * on stdin, {"rpcs": 20, "timeout": 2}, answered by one JSON line,
 * {"by_backend": {...}, "errors": {"UNAVAILABLE": 3}, "samples": [...],
 * "nacked": [{"type_url", "name", "details"}]}, so one driver runs both. It
 * stops when stdin closes. grpc-js logs go to stderr.
 */
import * as grpc from '@grpc/grpc-js';
import { createInterface } from 'node:readline';
import { startCsdsReader } from '../interop/drivers/grpc-js-csds.js';
import { unaryCallHostname } from './echo-service.js';

const MAX_SAMPLES = 10;

interface Command {
  readonly rpcs: number;
  readonly timeout: number;
}

interface Answer {
  readonly by_backend: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly samples: string[];
  nacked: Array<{ type_url: string; name: string; details: string }>;
}

async function run(client: grpc.Client, command: Command): Promise<Answer> {
  const answer: Answer = { by_backend: {}, errors: {}, samples: [], nacked: [] };
  // One at a time, as grpcio_client.py's commands with no concurrency do.
  for (let i = 0; i < command.rpcs; i += 1) {
    try {
      const backend = await unaryCallHostname(client, command.timeout * 1_000);
      answer.by_backend[backend] = (answer.by_backend[backend] ?? 0) + 1;
    } catch (error) {
      const e = error as Partial<grpc.ServiceError>;
      const code = e.code === undefined ? 'NO_HOSTNAME' : grpc.status[e.code];
      answer.errors[code] = (answer.errors[code] ?? 0) + 1;
      const sample = `${code}: ${e.details ?? e.message ?? String(error)}`;
      if (answer.samples.length < MAX_SAMPLES && !answer.samples.includes(sample)) answer.samples.push(sample);
    }
  }
  return answer;
}

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target) throw new Error('usage: grpc-js-xds-credentials-client.ts <target>');
  if (!process.env['GRPC_XDS_BOOTSTRAP']) throw new Error('GRPC_XDS_BOOTSTRAP is not set');
  // stdout carries the answers; every log line goes to stderr.
  const toStderr = (...args: unknown[]): void => void process.stderr.write(`${args.map(String).join(' ')}\n`);
  grpc.setLogger({ error: toStderr, info: toStderr, debug: toStderr });
  const xds = await import('@grpc/grpc-js-xds');
  xds.register();
  const csds = await startCsdsReader();
  // Plaintext when the control plane sends no TLS for a cluster, as grpc-go's and grpcio's clients here.
  const client = new grpc.Client(target, new xds.XdsChannelCredentials(grpc.credentials.createInsecure()));
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const answer = await run(client, JSON.parse(line) as Command);
    answer.nacked = (await csds.nackedResources()).map((r) => ({ type_url: r.typeUrl, name: r.name, details: r.details }));
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
  client.close();
  await csds.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
