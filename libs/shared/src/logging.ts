/** The logger factory: one pino logger per service, child loggers per component. */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service } });
}
