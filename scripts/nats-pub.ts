/**
 * `npm run nats:pub -- <subject> '<json>'`: what `nats pub` does, for machines without
 * the nats CLI. A plain core NATS publish, exactly as an operator's would be.
 */
import { connect } from 'nats';

const [subject, payload = ''] = process.argv.slice(2);
if (subject === undefined) {
  process.stderr.write("usage: npm run nats:pub -- <subject> '<json payload>'\n");
  process.exit(2);
}
const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
nc.publish(subject, new TextEncoder().encode(payload));
await nc.drain();
process.stdout.write(`published ${payload.length} bytes on ${subject}\n`);
