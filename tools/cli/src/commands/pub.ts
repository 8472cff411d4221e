/**
 * `cairn pub <subject> <payload> [-H 'Name: value']…`: a plain core NATS publish, what
 * `nats pub` does, for machines without the nats CLI. `-` reads the payload from stdin.
 */
import { subjects } from '@cairn/shared';
import { headers as natsHeaders } from 'nats';
import type { CairnCommand } from '../command.js';
import { OperationFailedError, UsageError } from '../errors.js';
import { parseHeaderLines } from '../header-line.js';
import { readStdin } from '../input-document.js';
import { connectToNats } from '../nats-connection.js';

/** A subject as nats-server takes it for a publish: dot-separated tokens, no wildcards or spaces. */
const PUBLISH_SUBJECT = /^[^.*>\s]+(\.[^.*>\s]+)*$/;

export const pub: CairnCommand = {
  path: ['pub'],
  summary: 'Publish one message on a NATS subject (a plain publish, headers included).',
  args: [
    { name: 'subject', required: true },
    { name: 'payload', required: true },
  ],
  options: [{ name: 'header', short: 'H', type: 'string', multiple: true, placeholder: 'Name: value', description: 'a message header (repeatable)' }],
  examples: [
    `cairn pub ${subjects.invalidationCommands} '{"type":"page"}'`,
    `cairn pub ${subjects.invalidationCommands} - < command.json`,
    `cairn pub ${subjects.invalidationCommands} '{"type":"all"}' -H 'Nats-Msg-Id: purge-all-1'   # JetStream drops a repeat`,
  ],
  async run(input) {
    const subject = input.args.subject as string;
    if (!PUBLISH_SUBJECT.test(subject)) throw new UsageError(`pub: <subject> expected dot-separated tokens without wildcards or spaces, got ${JSON.stringify(subject)}`);
    const headerLines = parseHeaderLines(input.options.header);
    const payload = input.args.payload === '-' ? await readStdin(input.stdin) : Buffer.from(input.args.payload as string, 'utf8');
    const nc = await connectToNats(input.settings);
    let refused: string | undefined;
    void (async () => {
      for await (const status of nc.status()) if (status.type === 'error') refused = String(status.data);
    })();
    const h = natsHeaders();
    for (const [name, value] of headerLines) h.append(name, value);
    try {
      // Throws at once for a payload over the server's max_payload.
      nc.publish(subject, payload, headerLines.length === 0 ? {} : { headers: h });
      // A refused publish is answered with -ERR before the PONG of the flush that follows it.
      await nc.flush();
      await nc.flush();
    } catch (err) {
      refused ??= err instanceof Error ? err.message : String(err);
    } finally {
      // An open connection would keep the process alive after the answer.
      await nc.close();
    }
    if (refused !== undefined) throw new OperationFailedError(`not published on ${subject}: ${refused}`);
    const headers = Object.fromEntries(headerLines.map(([name]) => [name, h.values(name)]));
    return {
      data: { subject, bytes: payload.length, headers },
      text: `published ${payload.length} bytes on ${subject}${headerLines.length === 0 ? '' : ` with ${headerLines.length} header${headerLines.length === 1 ? '' : 's'}`}`,
    };
  },
};
