/**
 * `npm run nats:pub -- <subject> '<json>'`: what `nats pub` does, for machines without
 * the nats CLI. A plain core NATS publish, exactly as an operator's would be. It connects
 * as NATS_USER/NATS_PASS (or NATS_CREDS) when set, otherwise as the running dev launcher's
 * `operator` user on its NATS (unless NATS_URL names another), otherwise anonymously.
 */
import { launcherSessionFor, natsAuthOptions } from '@cairn/shared';
import { connect } from 'nats';

const [subject, payload = ''] = process.argv.slice(2);
if (subject === undefined) {
  process.stderr.write("usage: npm run nats:pub -- <subject> '<json payload>'\n");
  process.exit(2);
}
const namedUrl = (process.env.NATS_URL ?? '') === '' ? undefined : process.env.NATS_URL;
const session = launcherSessionFor(process.env, namedUrl, (message) => process.stderr.write(`${message}\n`));
const env = session === undefined ? process.env : { ...process.env, NATS_USER: session.user, NATS_PASS: session.pass };
// NATS_URL may list several servers, comma-separated, as the nats CLI accepts.
const servers = (namedUrl ?? session?.url ?? 'nats://127.0.0.1:4222').split(',');
const nc = await connect({ servers, ...natsAuthOptions(env) });
let refused: string | undefined;
void (async () => {
  for await (const status of nc.status()) if (status.type === 'error') refused = String(status.data);
})();
nc.publish(subject, new TextEncoder().encode(payload));
// A refused publish is answered with -ERR before the flush's PONG.
await nc.flush();
await nc.flush();
await nc.drain();
if (refused !== undefined) {
  process.stderr.write(`not published on ${subject}: ${refused} (user ${env.NATS_USER ?? 'anonymous'})\n`);
  process.exit(1);
}
process.stdout.write(`published ${payload.length} bytes on ${subject}${env.NATS_USER === undefined ? '' : ` as ${env.NATS_USER}`}\n`);
