/** Creates or updates Cairn's streams idempotently at service start (README, the streams table). */
import type { JetStreamManager, NatsError } from 'nats';
import type { Logger } from 'pino';
import { streamConfigs, type StreamOptions } from '../contracts/streams.js';
import { CairnError } from '../errors.js';

const STREAM_NAME_IN_USE = 10058;

export async function ensureStreams(jsm: JetStreamManager, options: StreamOptions, logger: Logger): Promise<void> {
  for (const config of streamConfigs(options)) {
    try {
      await jsm.streams.add(config);
    } catch (err) {
      if ((err as NatsError).api_error?.err_code !== STREAM_NAME_IN_USE) {
        throw new CairnError('CAIRN_STREAM_SETUP_FAILED', `cannot create stream ${config.name}`, { cause: err });
      }
      try {
        await jsm.streams.update(config.name, config);
      } catch (updateErr) {
        throw new CairnError('CAIRN_STREAM_SETUP_FAILED', `stream ${config.name} exists with a config that cannot be updated`, {
          cause: updateErr,
        });
      }
    }
  }
  logger.info({ streams: streamConfigs(options).map((c) => c.name) }, 'streams ensured');
}
